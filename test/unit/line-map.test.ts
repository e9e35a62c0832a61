import { describe, expect, it } from "vitest";
import { buildLineMap, isCommentable, nearestCommentable } from "../../src/diff/line-map.js";
import { parsePatch } from "../../src/diff/parse-patch.js";

const map = buildLineMap(
  parsePatch("@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n d\n@@ -20,2 +21,2 @@\n x\n-y\n+Y"),
);

describe("diff/line-map", () => {
  it("maps a hunk with more lines than a call takes arguments", () => {
    const lines = Array.from({ length: 200_000 }, () => "+").join("\n");
    const big = buildLineMap(parsePatch(`@@ -0,0 +1,200000 @@\n${lines}`));

    expect(big.right).toEqual([{ hunk: 0, first: 1, last: 200_000 }]);
    expect(isCommentable(big, 200_000)).toBe(true);
  });

  it("maps each hunk to one RIGHT and one LEFT range", () => {
    expect(map.right).toEqual([
      { hunk: 0, first: 1, last: 4 },
      { hunk: 1, first: 21, last: 22 },
    ]);
    expect(map.left).toEqual([
      { hunk: 0, first: 1, last: 3 },
      { hunk: 1, first: 20, last: 21 },
    ]);
  });

  it("accepts added and context lines, and nothing between hunks", () => {
    expect([1, 2, 3, 4, 21, 22].every((l) => isCommentable(map, l))).toBe(true);
    expect([0, 5, 10, 20, 23].some((l) => isCommentable(map, l))).toBe(false);
    expect(isCommentable(map, 21, "LEFT")).toBe(true);
    expect(isCommentable(map, 22, "LEFT")).toBe(false);
  });

  it("finds the nearest commentable line within the distance, preferring the earlier on a tie", () => {
    expect(nearestCommentable(map, 7, 3)).toBe(4);
    expect(nearestCommentable(map, 8, 3)).toBeUndefined();
    expect(nearestCommentable(map, 18, 3)).toBe(21);
    expect(nearestCommentable(map, 3, 3)).toBe(3);
    const twoSided = buildLineMap(parsePatch("@@ -1 +1 @@\n+a\n@@ -5 +5 @@\n+b"));
    expect(nearestCommentable(twoSided, 3, 3)).toBe(1);
  });
});
