import { LRUCache } from "lru-cache";

/** Remembers webhook deliveries: GitHub's redelivery (same `X-GitHub-Delivery`) is handled once. */
export type DeliveryLog = { seen(id: string): boolean | Promise<boolean> };

export function createDeliveryLog(): DeliveryLog {
  const ids = new LRUCache<string, true>({ max: 50_000, ttl: 24 * 3_600_000 });
  return {
    seen(id) {
      if (ids.has(id)) return true;
      ids.set(id, true);
      return false;
    },
  };
}
