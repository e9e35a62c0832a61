import { Redis } from "ioredis";
import type { Logger } from "pino";

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

/** `host:port` of a Redis URL, without its credentials. */
export function hostOf(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || "6379"}`;
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/** Whether a connection is up; the reason when it is not, for /healthz. */
export function redisHealth(redis: Redis, url: string): string | undefined {
  return redis.status === "ready" ? undefined : `cannot reach Redis at ${hostOf(url)}`;
}
