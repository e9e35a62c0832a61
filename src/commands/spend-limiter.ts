import { LRUCache } from "lru-cache";

export type SpendLimiter = {
  /** Takes one command from `key`'s bucket; when empty, says how long until one is back. */
  take(key: string): { ok: true } | { ok: false; retryInSeconds: number };
  /** Whether a take would succeed now, without taking. */
  peek(key: string): { ok: true } | { ok: false; retryInSeconds: number };
};

/**
 * A token bucket per key: `perHour` takes (or `limit` per `windowMs`), refilled evenly over the
 * window, so a burst is allowed but a steady stream is capped. Time comes from `now`. Commands
 * use it per user and repository; the HTTP API per key.
 */
export function createSpendLimiter(
  options: ({ perHour: number } | { limit: number; windowMs: number }) & { now: () => number },
): SpendLimiter {
  const [limit, windowMs] =
    "perHour" in options ? [options.perHour, 3_600_000] : [options.limit, options.windowMs];
  const ratePerMs = limit / windowMs;
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 10_000 });
  const level = (key: string, now: number) => {
    const bucket = buckets.get(key) ?? { tokens: limit, at: now };
    return Math.min(limit, bucket.tokens + (now - bucket.at) * ratePerMs);
  };
  const verdict = (tokens: number) =>
    // A hair of tolerance: refill arithmetic in floating point lands just below 1.
    tokens >= 1 - 1e-9
      ? ({ ok: true } as const)
      : ({
          ok: false,
          retryInSeconds: Math.ceil(((1 - tokens) * (windowMs / 1000)) / limit),
        } as const);
  return {
    take(key) {
      const now = options.now();
      const tokens = level(key, now);
      const answer = verdict(tokens);
      buckets.set(key, { tokens: answer.ok ? Math.max(0, tokens - 1) : tokens, at: now });
      return answer;
    },
    peek: (key) => verdict(level(key, options.now())),
  };
}
