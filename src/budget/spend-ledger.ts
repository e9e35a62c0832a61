import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { UsageLine } from "../model/review-result.js";

/** Tokens and estimated dollars an installation spent on models in one UTC day. */
export type Spend = { tokens: number; usd: number };

/** Where model spend is counted, per installation and UTC day. */
export type SpendLedger = {
  spent(installationId: number, now: number): Promise<Spend>;
  record(installationId: number, usage: readonly UsageLine[], now: number): Promise<void>;
};

const DAY_MS = 86_400_000;
const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);

function total(usage: readonly UsageLine[]): Spend {
  return usage.reduce(
    (sum, u) => ({
      tokens: sum.tokens + u.inputTokens + u.outputTokens,
      usd: sum.usd + (u.costUsd ?? 0),
    }),
    { tokens: 0, usd: 0 },
  );
}

/** In one process: a day's spend per installation, kept two days. */
export function createMemoryLedger(): SpendLedger {
  const days = new LRUCache<string, Spend>({ max: 100_000, ttl: 2 * DAY_MS });
  return {
    spent: async (id, now) => days.get(`${id}:${dayOf(now)}`) ?? { tokens: 0, usd: 0 },
    async record(id, usage, now) {
      const key = `${id}:${dayOf(now)}`;
      const add = total(usage);
      const was = days.get(key) ?? { tokens: 0, usd: 0 };
      days.set(key, { tokens: was.tokens + add.tokens, usd: was.usd + add.usd });
    },
  };
}

/** In Redis mode: one hash per installation and day, shared by every worker, expiring after two days. */
export function createRedisLedger(redis: Redis, prefix: string): SpendLedger {
  const key = (id: number, now: number) => `${prefix}:spend:${id}:${dayOf(now)}`;
  return {
    async spent(id, now) {
      const stored = await redis.hgetall(key(id, now)).catch(() => ({}) as Record<string, string>);
      return { tokens: Number(stored.tokens ?? 0), usd: Number(stored.usd ?? 0) };
    },
    async record(id, usage, now) {
      const add = total(usage);
      if (add.tokens === 0 && add.usd === 0) return;
      await redis
        .multi()
        .hincrby(key(id, now), "tokens", add.tokens)
        .hincrbyfloat(key(id, now), "usd", add.usd)
        .pexpire(key(id, now), 2 * DAY_MS)
        .exec()
        .catch(() => undefined);
    },
  };
}
