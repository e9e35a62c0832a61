import { Redis } from "ioredis";
import type { Logger } from "pino";
import { hostOf } from "./redis-health.js";

// ioredis reports every failed reconnect; one line per interval says all there is to say.
const REPORT_EVERY_MS = 30_000;

/**
 * The one place Critic opens a Redis connection. BullMQ needs `maxRetriesPerRequest: null` on
 * connections its workers block on; the same setting everywhere keeps every connection alike.
 * While Redis cannot be reached, one warning names where, once per interval (never the URL:
 * it can hold a password).
 */
export function openRedis(url: string, log?: Pick<Logger, "warn" | "info">): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const where = hostOf(url);
  let lastReport = Number.NEGATIVE_INFINITY;
  let down = false;
  redis.on("error", (error: Error & { code?: string }) => {
    down = true;
    const now = Date.now();
    if (now - lastReport < REPORT_EVERY_MS) return;
    lastReport = now;
    log?.warn({ redis: where, code: error.code }, `cannot reach Redis at ${where}`);
  });
  redis.on("ready", () => {
    if (down) log?.info({ redis: where }, `Redis at ${where} is reachable again`);
    down = false;
  });
  return redis;
}
