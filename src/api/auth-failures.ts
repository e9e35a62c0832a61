import type { Redis } from "ioredis";
import { createSpendLimiter } from "../commands/spend-limiter.js";
import { askRedis } from "../queue/redis/redis-health.js";

type Verdict = { ok: true } | { ok: false; retryInSeconds: number };

/**
 * Failed authentications per client address, `limit` a minute. `attempt` is the whole check for
 * a credential: refused (429) past the limit, else the credential is tried and a failure counted,
 * in one step, so parallel guesses cannot all pass a check made before any of them failed.
 * `peek` and `take` are for flows whose failure is known only later (an OAuth callback).
 */
export type AuthFailures = {
  attempt(key: string, valid: () => boolean): Promise<"ok" | "failed" | Verdict>;
  take(key: string): Promise<Verdict>;
  peek(key: string): Promise<Verdict>;
};

// A Redis that does not answer in this long is not waited for: the process's own bucket decides.
const REDIS_WAIT_MS = 250;

/**
 * In this process (a token bucket) by default. With Redis, every receiver counts together: each
 * attempt is counted first (INCR) and given back when the credential was valid, over a sliding
 * minute (this minute's count plus the last one's, weighted by how much of it is still inside).
 * A Redis that is down or slow is not waited for.
 */
export function createAuthFailures(options: {
  limit: number;
  now: () => number;
  /** The connection and key prefix of Redis mode. */
  redis?: { connection: Redis; prefix: string } | undefined;
  /** Separates the API's count from the console's. */
  name: string;
}): AuthFailures {
  const local = createSpendLimiter({ limit: options.limit, windowMs: 60_000, now: options.now });
  const localAttempt = (key: string, valid: () => boolean) => {
    const blocked = local.peek(key);
    if (!blocked.ok) return blocked;
    if (valid()) return "ok" as const;
    local.take(key);
    return "failed" as const;
  };
  const shared = options.redis;
  if (!shared)
    return {
      attempt: async (key, valid) => localAttempt(key, valid),
      take: async (key) => local.take(key),
      peek: async (key) => local.peek(key),
    };

  const windowOf = (key: string) => {
    const now = options.now();
    const minute = Math.floor(now / 60_000);
    const inside = 1 - (now - minute * 60_000) / 60_000;
    const at = (m: number) => `${shared.prefix}:auth-failures:${options.name}:${m}:${key}`;
    return { current: at(minute), previous: at(minute - 1), inside };
  };
  // Until the weighted count is back under the limit, at most a minute.
  const retry = (): Verdict => ({ ok: false, retryInSeconds: 60 });
  const ask = <T>(run: (redis: Redis) => Promise<T>) =>
    askRedis(shared.connection, run, REDIS_WAIT_MS);
  const count = async (key: string) => {
    const w = windowOf(key);
    const answer = await ask(async (redis) => {
      const replies = await redis
        .multi()
        .incr(w.current)
        .pexpire(w.current, 120_000)
        .get(w.previous)
        .exec();
      return { current: Number(replies?.[0]?.[1] ?? 0), previous: Number(replies?.[2]?.[1] ?? 0) };
    });
    return answer && { ...answer, weighted: answer.current + answer.previous * w.inside, w };
  };
  return {
    async attempt(key, valid) {
      const counted = await count(key);
      if (!counted) return localAttempt(key, valid);
      // This attempt is counted: past the limit, it is refused untried.
      if (counted.weighted > options.limit) return retry();
      if (!valid()) return "failed";
      void ask((redis) => redis.decr(counted.w.current));
      return "ok";
    },
    async take(key) {
      local.take(key);
      const counted = await count(key);
      if (!counted) return local.peek(key);
      return counted.weighted >= options.limit ? retry() : { ok: true };
    },
    async peek(key) {
      const w = windowOf(key);
      const answer = await ask(async (redis) => redis.mget(w.current, w.previous));
      if (!answer) return local.peek(key);
      const weighted = Number(answer[0] ?? 0) + Number(answer[1] ?? 0) * w.inside;
      return weighted >= options.limit ? retry() : { ok: true };
    },
  };
}
