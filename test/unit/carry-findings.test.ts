import { describe, expect, it } from "vitest";
import {
  carryFindings,
  mapLine,
  type PriorFinding,
} from "../../src/engine/anchor/carry-findings.js";

describe("review/stages/carry-findings", () => {
  it.each([
    ["before any hunk", "@@ -10,2 +10,3 @@\n a\n+b\n c", 4, 4],
    ["after an insertion", "@@ -10,2 +10,3 @@\n a\n+b\n c", 20, 21],
    ["a context line inside the hunk", "@@ -10,2 +10,3 @@\n a\n+b\n c", 11, 12],
    ["a rewritten line", "@@ -10,2 +10,2 @@\n a\n-b\n+B", 11, undefined],
    ["a deleted line", "@@ -5,2 +4,0 @@\n-x\n-y", 6, undefined],
    ["after a deletion", "@@ -5,2 +4,0 @@\n-x\n-y", 7, 5],
    ["the line a pure insertion follows", "@@ -5,0 +6,2 @@\n+p\n+q", 5, 5],
    ["after a pure insertion", "@@ -5,0 +6,2 @@\n+p\n+q", 6, 8],
    ["between two hunks", "@@ -1,1 +1,2 @@\n a\n+b\n@@ -10,1 +10,0 @@\n-z", 5, 6],
    ["after two hunks", "@@ -1,1 +1,2 @@\n a\n+b\n@@ -10,1 +10,0 @@\n-z", 12, 12],
  ])("maps %s", (_label, patch, line, expected) => {
    expect(mapLine(patch, line)).toBe(expected);
  });

  it("carries findings in untouched files, moves them in touched ones, and resolves the rest", () => {
    const f = (path: string, line: number, message = "m"): PriorFinding => ({
      path,
      line,
      severity: "warning",
      category: "bug",
      message,
      inline: true,
    });
    const prior = [
      f("a.ts", 3),
      f("b.ts", 2, "moves"),
      f("b.ts", 11, "rewritten"),
      f("gone.ts", 1),
    ];
    const increment = [
      {
        path: "b.ts",
        status: "modified" as const,
        additions: 2,
        deletions: 1,
        patch: "@@ -1,1 +1,2 @@\n x\n+y\n@@ -11,1 +12,1 @@\n-old\n+new",
      },
    ];

    const { carried, resolved } = carryFindings(prior, increment, new Set(["a.ts", "b.ts"]));

    expect(carried.map((c) => [c.path, c.line, c.message])).toEqual([
      ["a.ts", 3, "m"],
      ["b.ts", 3, "moves"],
    ]);
    expect(resolved.map((r) => [r.path, r.message])).toEqual([
      ["b.ts", "rewritten"],
      ["gone.ts", "m"],
    ]);
  });
});
