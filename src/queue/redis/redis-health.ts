import type { Redis } from "ioredis";

// Apart from the client (open-redis.ts), so the server's health check does not load ioredis and
// BullMQ (about 19 MB) where Redis is not used.

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
