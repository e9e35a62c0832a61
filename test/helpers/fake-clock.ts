import type { Clock } from "../../src/resilience/clock.js";

/**
 * A clock that never waits: `sleep` records the delay and moves time forward at once. `advance`
 * moves time by hand (for breaker cool-downs).
 */
export function createFakeClock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
  return {
    clock,
    sleeps,
    advance(ms: number) {
      now += ms;
    },
  };
}
