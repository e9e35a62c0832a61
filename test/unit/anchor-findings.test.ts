import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { anchorFindings } from "../../src/engine/anchor/anchor-findings.js";
import type { Finding, ReviewFile } from "../../src/model/types.js";

// Hunk 0 covers head lines 1–4, hunk 1 covers 21–22.
const file: ReviewFile = {
  path: "a.ts",
  status: "modified",
  hunks: parsePatch("@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n d\n@@ -20,2 +21,2 @@\n x\n-y\n+Y"),
};

const finding = (over: Partial<Finding>): Finding => ({
  path: "a.ts",
  line: 2,
  severity: "warning",
  category: "bug",
  message: "m",
  source: "openai",
  ...over,
});

const anchor = (
  findings: Finding[],
  maxComments = 25,
  minSeverity: Finding["severity"] = "suggestion",
) => anchorFindings(findings, [file], { maxComments, minSeverity });

describe("review/stages/anchor-findings", () => {
  it("keeps a finding on a diff line as it is, suggestion included", () => {
    const { inline, summaryOnly } = anchor([finding({ line: 3, suggestion: "C2" })]);

    expect(inline).toEqual([finding({ line: 3, suggestion: "C2", startLine: undefined })]);
    expect(summaryOnly).toEqual([]);
  });

  it("moves a line up to three lines outside the diff to the nearest diff line and drops its suggestion", () => {
    const { inline } = anchor([
      finding({ line: 7, suggestion: "x" }),
      finding({ line: 19, message: "n" }),
    ]);

    expect(inline.map((f) => [f.line, f.movedFrom, f.suggestion])).toEqual([
      [4, 7, undefined],
      [21, 19, undefined],
    ]);
  });

  it("sends findings far from the diff, or in files not in the diff, to the summary", () => {
    const { inline, summaryOnly } = anchor([
      finding({ line: 12 }),
      finding({ path: "other.ts", line: 1 }),
      finding({ line: -4 }),
    ]);

    expect(inline).toEqual([]);
    expect(summaryOnly.map((f) => [f.path, f.line, f.placement])).toEqual([
      ["a.ts", 12, "outside-diff"],
      ["other.ts", 1, "outside-diff"],
      ["a.ts", -4, "outside-diff"],
    ]);
  });

  it("keeps a multi-line range inside one hunk and orders reversed bounds", () => {
    const { inline } = anchor([finding({ startLine: 4, line: 2, suggestion: "x\ny\nz" })]);

    expect(inline[0]).toMatchObject({ startLine: 2, line: 4, suggestion: "x\ny\nz" });
  });

  it("turns a range that crosses hunks into a single-line comment without a suggestion", () => {
    const { inline } = anchor([finding({ startLine: 3, line: 21, suggestion: "x" })]);

    expect(inline[0]).toMatchObject({ line: 21, startLine: undefined, suggestion: undefined });
  });

  it("caps inline comments, most severe first, and lists the rest in the summary", () => {
    const findings = [
      finding({ line: 1, severity: "suggestion", message: "s" }),
      finding({ line: 2, severity: "critical", message: "c" }),
      finding({ line: 3, severity: "warning", message: "w" }),
    ];
    const { inline, summaryOnly } = anchor(findings, 2);

    expect(inline.map((f) => f.message)).toEqual(["c", "w"]);
    expect(summaryOnly.map((f) => [f.message, f.placement])).toEqual([["s", "over-cap"]]);
  });

  it("drops findings below min_severity and repeats of the same message on the same line", () => {
    const findings = [
      finding({ line: 1, severity: "suggestion" }),
      finding({ line: 2, message: "Same  thing" }),
      finding({ line: 2, message: "same thing", source: "static" }),
    ];
    const { inline, summaryOnly } = anchor(findings, 25, "warning");

    expect(inline.map((f) => [f.line, f.message])).toEqual([[2, "Same  thing"]]);
    expect(summaryOnly).toEqual([]);
  });
});
