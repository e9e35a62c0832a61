import type { Hunk } from "../model/types.js";

/** A contiguous range of head-file (RIGHT) or base-file (LEFT) lines that one hunk shows. */
export type LineRange = { hunk: number; first: number; last: number };

/**
 * Where GitHub accepts a review comment in one file. In a hunk, the RIGHT lines (added and
 * context) are contiguous in the head file, and the LEFT lines (deleted and context) in the base
 * file, so each hunk is one range per side. `added` holds the head lines this change wrote.
 * https://docs.github.com/en/rest/pulls/comments#create-a-review-comment-for-a-pull-request
 */
export type LineMap = { right: LineRange[]; left: LineRange[]; added: Set<number> };

export function buildLineMap(hunks: readonly Hunk[]): LineMap {
  const right: LineRange[] = [];
  const left: LineRange[] = [];
  const added = new Set<number>();
  // One pass, no spread into Math.min: a hunk may hold more lines than a call takes arguments.
  hunks.forEach((hunk, index) => {
    const newSide = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
    const oldSide = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY };
    for (const l of hunk.lines) {
      if (l.kind === "add" && l.newLine !== undefined) added.add(l.newLine);
      if (l.newLine !== undefined) widen(newSide, l.newLine);
      if (l.oldLine !== undefined) widen(oldSide, l.oldLine);
    }
    if (newSide.first <= newSide.last) right.push({ hunk: index, ...newSide });
    if (oldSide.first <= oldSide.last) left.push({ hunk: index, ...oldSide });
  });
  return { right, left, added };
}

function widen(range: { first: number; last: number }, line: number): void {
  if (line < range.first) range.first = line;
  if (line > range.last) range.last = line;
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
