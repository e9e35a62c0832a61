import type { DiffLine, Hunk } from "../model/types.js";

/** A contiguous range of head-file (RIGHT) or base-file (LEFT) lines that one hunk shows. */
export type LineRange = { hunk: number; first: number; last: number };

/**
 * Where GitHub accepts a review comment in one file. In a hunk, the RIGHT lines (added and
 * context) are contiguous in the head file, and the LEFT lines (deleted and context) in the base
 * file, so each hunk is one range per side.
 * https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request
 */
export type LineMap = { right: LineRange[]; left: LineRange[] };

/**
 * The ranges of each hunk. Line numbers rise through a hunk (the parser numbers them in order),
 * so a range is the first and the last number from either end: a 126,500-line hunk costs a few
 * steps, not a walk.
 */
export function buildLineMap(hunks: readonly Hunk[]): LineMap {
  const right: LineRange[] = [];
  const left: LineRange[] = [];
  hunks.forEach((hunk, index) => {
    const newSide = ends(hunk.lines, (l) => l.newLine);
    const oldSide = ends(hunk.lines, (l) => l.oldLine);
    if (newSide) right.push({ hunk: index, ...newSide });
    if (oldSide) left.push({ hunk: index, ...oldSide });
  });
  return { right, left };
}

function ends(
  lines: readonly DiffLine[],
  numberOf: (line: DiffLine) => number | undefined,
): { first: number; last: number } | undefined {
  let first: number | undefined;
  for (let i = 0; i < lines.length && first === undefined; i++)
    first = numberOf(lines[i] as DiffLine);
  if (first === undefined) return undefined;
  let last: number | undefined;
  for (let i = lines.length - 1; i >= 0 && last === undefined; i--)
    last = numberOf(lines[i] as DiffLine);
  return { first, last: last ?? first };
}

/** The hunk range on `side` that contains `line`, if any. */
export function findRange(
  map: LineMap,
  line: number,
  side: "RIGHT" | "LEFT" = "RIGHT",
): LineRange | undefined {
  const ranges = side === "RIGHT" ? map.right : map.left;
  return ranges.find((r) => line >= r.first && line <= r.last);
}

/** True when GitHub accepts a comment on `line`. */
export function isCommentable(
  map: LineMap,
  line: number,
  side: "RIGHT" | "LEFT" = "RIGHT",
): boolean {
  return findRange(map, line, side) !== undefined;
}

/**
 * The commentable RIGHT line nearest to `line` that is at most `maxDistance` away, or undefined.
 * Ties go to the earlier line: a finding usually names the line after the problem, not before.
 */
export function nearestCommentable(
  map: LineMap,
  line: number,
  maxDistance: number,
): number | undefined {
  let best: number | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const range of map.right) {
    const candidate = Math.min(Math.max(line, range.first), range.last);
    const distance = Math.abs(candidate - line);
    if (
      distance < bestDistance ||
      (distance === bestDistance && best !== undefined && candidate < best)
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= maxDistance ? best : undefined;
}
