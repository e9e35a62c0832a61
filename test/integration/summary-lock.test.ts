import { setTimeout as wait } from "node:timers/promises";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createRedisSummaryLock } from "../../src/github/summary-lock.js";
import { redisIsUp, TEST_REDIS_URL } from "../helpers/redis-up.js";

const redisUp = await redisIsUp("the summary lock tests are");

describe.skipIf(!redisUp)("github/summary-lock in Redis", () => {
  // Redis expires the lock on its own clock, so these wait in real time (well under a second).
  it("lets one holder at a time through, and keeps a slow holder's lock past its hold", async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const prefix = `critic-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    try {
      const lock = createRedisSummaryLock(redis, prefix, (ms) => wait(ms), 300);
      const order: string[] = [];
      const slow = lock("pr-1", async () => {
        order.push("slow:start");
        // Longer than the 300 ms hold: without renewal the lock would lapse at 300 ms.
        await wait(700);
        order.push("slow:end");
      });
      await wait(50);
      const second = lock("pr-1", async () => {
        order.push("second");
      });
      await wait(500);
      expect(await redis.get(`${prefix}:summary-lock:pr-1`)).not.toBeNull();
      await Promise.all([slow, second]);

      expect(order).toEqual(["slow:start", "slow:end", "second"]);
      expect(await redis.get(`${prefix}:summary-lock:pr-1`)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});
