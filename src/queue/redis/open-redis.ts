import { Redis } from "ioredis";

/**
 * The one place Critic opens a Redis connection. BullMQ needs `maxRetriesPerRequest: null` on
 * connections its workers block on; the same setting everywhere keeps every connection alike.
 */
export function openRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}
