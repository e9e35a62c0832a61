/**
 * GitHub's secondary rate limits for content-creating requests, per installation: "no more than
 * 80 content-generating requests per minute and no more than 500 content-generating requests per
 * hour", and writes made "serially instead of concurrently".
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests
 */
export type WriteLimits = { perMinute: number; perHour: number };

export const GITHUB_WRITE_LIMITS: WriteLimits = { perMinute: 80, perHour: 500 };

// GitHub counts a write when it arrives, a few milliseconds after Critic starts it, and arrivals
// jitter: a write started exactly a minute after the one 80 places back can arrive inside that
// minute. Each window is held this much longer than its span.
const MARGIN_MS = 1_000;
const MINUTE_MS = 60_000 + MARGIN_MS;
const HOUR_MS = 3_600_000 + MARGIN_MS;

/**
 * When the next write may start, given the start times of the writes before it (ascending), so
 * that no sliding minute holds more than `perMinute` writes and no sliding hour more than
 * `perHour` (with a second's margin on each, for the time a write takes to arrive). A window, not a fixed gap: a review's few writes go out back to back, and a backlog
 * runs at the ceiling. Pure; `starts` older than an hour may be dropped by the caller.
 */
export function nextWriteAt(starts: readonly number[], now: number, limits: WriteLimits): number {
  let at = now;
  for (const [limit, span] of [
    [limits.perMinute, MINUTE_MS],
    [limits.perHour, HOUR_MS],
  ] as const) {
    if (starts.length < limit) continue;
    // The write `limit` places back must have left the window by the time this one starts.
    const gate = starts[starts.length - limit];
    if (gate !== undefined) at = Math.max(at, gate + span);
  }
  return at;
}

/** The starts still inside the longest window at `now` (what a store keeps). */
export function recentStarts(starts: readonly number[], now: number): number[] {
  const from = now - HOUR_MS;
  let i = 0;
  while (i < starts.length && (starts[i] ?? 0) <= from) i++;
  return starts.slice(i);
}
