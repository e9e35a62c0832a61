import type { Redis } from "ioredis";
import { createSpendLimiter } from "../commands/spend-limiter.js";

type Verdict = { ok: true } | { ok: false; retryInSeconds: number };

/** Failed authentications per client address: counted on a failure, checked before a request. */
export type AuthFailures = {
  take(key: string): Verdict | Promise<Verdict>;
  peek(key: string): Verdict | Promise<Verdict>;
};

/**
 * `limit` failures per minute per address. In this process (a token bucket) by default; with
 * Redis, counted by every receiver together in the current minute (INCR with an expiry), so N
 * receivers do not allow N times the guesses. If Redis cannot answer, this process's own bucket
 * decides.
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
  const shared = options.redis;
  if (!shared) return local;
  const at = () => {
    const now = options.now();
    const minute = Math.floor(now / 60_000);
    return { minute, retryInSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
  };
  const keyOf = (key: string, minute: number) =>
    `${shared.prefix}:auth-failures:${options.name}:${minute}:${key}`;
  const verdict = (count: number, retryInSeconds: number): Verdict =>
    count >= options.limit ? { ok: false, retryInSeconds } : { ok: true };
  return {
    async take(key) {
      local.take(key);
      const { minute, retryInSeconds } = at();
      const redisKey = keyOf(key, minute);
      try {
        const [[, count]] = ((await shared.connection
          .multi()
          .incr(redisKey)
          .pexpire(redisKey, 120_000)
          .exec()) ?? [[null, 0]]) as [[unknown, number]];
        return verdict(Number(count) - 1, retryInSeconds);
      } catch {
        return local.peek(key);
      }
    },
    async peek(key) {
      const { minute, retryInSeconds } = at();
      try {
        const count = await shared.connection.get(keyOf(key, minute));
        return verdict(Number(count ?? 0), retryInSeconds);
      } catch {
        return local.peek(key);
      }
    },
  };
}
