/**
 * GitHub's secondary rate limits for content-creating requests, per installation: "no more than
 * 80 content-generating requests per minute and no more than 500 content-generating requests per
 * hour", and writes made "serially instead of concurrently".
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests
 */
export type WriteWindow = { count: number; spanMs: number };
export type WriteLimits = readonly WriteWindow[];

export const GITHUB_WRITE_LIMITS: WriteLimits = [
  { count: 80, spanMs: 60_000 },
  { count: 500, spanMs: 3_600_000 },
];

/**
 * GitHub counts a write when it arrives, a few milliseconds after Critic starts it, and arrivals
 * jitter (more on a busy machine): a write started exactly a minute after the one 80 places back
 * can arrive inside that minute. Each window is held a second longer than its span, whatever the
 * span: the jitter does not shrink with it.
 */
export const MARGIN_MS = 1_000;

/**
 * When the next write may start, given the start times of the writes before it (ascending), so
 * that no window holds more than its count of writes (each held MARGIN_MS longer).
 * A window, not a fixed gap: a review's few writes go out back to back, and a backlog runs at the
 * ceiling. Pure; starts older than the longest window may be dropped by the caller.
 */
export function nextWriteAt(starts: readonly number[], now: number, limits: WriteLimits): number {
  let at = now;
  for (const { count, spanMs } of limits) {
    if (starts.length < count) continue;
    // The write `count` places back must have left the window by the time this one starts.
    const gate = starts[starts.length - count];
    if (gate !== undefined) at = Math.max(at, gate + spanMs + MARGIN_MS);
  }
  return at;
}

/** How long a start counts in any window: the longest one, with its margin. */
export function longestSpan(limits: WriteLimits): number {
  return limits.reduce((longest, w) => Math.max(longest, w.spanMs + MARGIN_MS), 0);
}

/** The starts still inside the longest window at `now` (what a store keeps). */
export function recentStarts(
  starts: readonly number[],
  now: number,
  limits: WriteLimits = GITHUB_WRITE_LIMITS,
): number[] {
  const from = now - longestSpan(limits);
  let i = 0;
  while (i < starts.length && (starts[i] ?? 0) <= from) i++;
  return starts.slice(i);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Reads `80/60s,500/1h` (a count per span, with ms, s, m or h). Operators leave it at GitHub's
 * numbers; a bench shortens the spans to see an hour's ceiling in a minute.
 */
export function parseWriteLimits(text: string): WriteLimits | string {
  const windows: WriteWindow[] = [];
  for (const part of text.split(",")) {
    const match = /^\s*(\d{1,6})\s*\/\s*(\d{1,9})\s*(ms|s|m|h)\s*$/.exec(part);
    const count = Number(match?.[1]);
    const spanMs = Number(match?.[2]) * (UNIT_MS[match?.[3] ?? ""] ?? Number.NaN);
    if (!match || count < 1 || !(spanMs >= 1_000))
      return `"${part.trim()}" is not a count per span of at least a second, like 80/60s`;
    windows.push({ count, spanMs });
  }
  return windows;
}
