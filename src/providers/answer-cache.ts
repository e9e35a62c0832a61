import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { ProviderResult } from "../engine/model-port.js";

/** Model answers by prompt hash: the same part of a diff reviewed again costs no call. */
export type AnswerCache = {
  get(key: string): Promise<ProviderResult | undefined>;
  set(key: string, value: ProviderResult): Promise<void>;
};

const TTL_MS = 24 * 3_600_000;

/** In this process only: the default. */
export function createMemoryCache(entries: number): AnswerCache {
  const lru = new LRUCache<string, ProviderResult>({ max: Math.max(1, entries), ttl: TTL_MS });
  return {
    get: async (key) => lru.get(key),
    set: async (key, value) => {
      lru.set(key, value);
    },
  };
}

/**
 * Shared by every worker of Redis mode, with the memory cache in front. A Redis failure costs a
 * model call, never a review: reads and writes that fail are skipped.
 */
export function createRedisCache(redis: Redis, prefix: string, entries: number): AnswerCache {
  const memory = createMemoryCache(entries);
  const redisKey = (key: string) => `${prefix}:answer:${key}`;
  return {
    async get(key) {
      const local = await memory.get(key);
      if (local) return local;
      const stored = await redis.get(redisKey(key)).catch(() => null);
      if (!stored) return undefined;
      try {
        const value = JSON.parse(stored) as ProviderResult;
        await memory.set(key, value);
        return value;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      await memory.set(key, value);
      await redis.set(redisKey(key), JSON.stringify(value), "PX", TTL_MS).catch(() => undefined);
    },
  };
}
