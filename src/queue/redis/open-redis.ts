import { Redis } from "ioredis";
import type { Logger } from "pino";
import { hostOf, reportRedisError, reportRedisReady } from "./redis-health.js";

/**
 * The one place Critic opens a Redis connection. BullMQ needs `maxRetriesPerRequest: null` on
 * connections its workers block on; the same setting everywhere keeps every connection alike.
 * While Redis cannot be reached, one warning names where, once per interval for the process
 * (redis-health.ts).
 */
export function openRedis(url: string, log?: Pick<Logger, "warn" | "info">): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const where = hostOf(url);
  redis.on("error", (error: Error) => reportRedisError(where, error, log));
  redis.on("ready", () => reportRedisReady(where, log));
  return redis;
}
