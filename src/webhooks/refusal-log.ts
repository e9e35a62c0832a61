import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { askRedis } from "../queue/redis/redis-health.js";

const HOUR_MS = 3_600_000;

/**
 * Whether a pull request got its refusal in the last hour: one polite refusal per pull request
 * per hour, whoever asks, so a crowd of strangers' commands on a public repository is not a flood
 * of comments (nor of writes).
 */
export type RefusalLog = {
  /** True for the first refusal of the hour (and notes it), false after. */
  first(key: string): Promise<boolean>;
};

/** In this process. */
export function createMemoryRefusals(): RefusalLog {
  const refused = new LRUCache<string, true>({ max: 10_000, ttl: HOUR_MS });
  return {
    async first(key) {
      if (refused.has(key)) return false;
      refused.set(key, true);
      return true;
    },
  };
}

/**
 * Shared by every receiver of Redis mode (SET NX with an hour's expiry: the first receiver to
 * refuse wins). If Redis is down or slow to answer, this process's own memory decides.
 */
export function createRedisRefusals(redis: Redis, prefix: string): RefusalLog {
  const local = createMemoryRefusals();
  return {
    async first(key) {
      const set = await askRedis(redis, (r) =>
        r.set(`${prefix}:refused:${key}`, "1", "PX", HOUR_MS, "NX"),
      );
      if (set === undefined) return local.first(key);
      return set === "OK";
    },
  };
}
