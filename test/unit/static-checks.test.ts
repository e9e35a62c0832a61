import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/review/diff/parse-patch.js";
import { rateByRubric } from "../../src/review/rating-rubric.js";
import type { ReviewFile } from "../../src/review/types.js";
import { runStaticChecks } from "../../src/static-checks/run-static-checks.js";

const file = (path: string, added: string[], context: string[] = []): ReviewFile => ({
  path,
  status: "modified",
  hunks: parsePatch(
    `@@ -1,${context.length} +1,${context.length + added.length} @@\n${[...context.map((c) => ` ${c}`), ...added.map((a) => `+${a}`)].join("\n")}`,
  ),
});

const found = (f: ReviewFile) =>
  runStaticChecks([f]).findings.map((x) => [x.source, x.line, x.severity]);

describe("static-checks", () => {
  it("flags conflict markers, including the middle one when a real conflict is present", () => {
    expect(found(file("a.ts", ["<<<<<<< HEAD", "a", "=======", "b", ">>>>>>> branch"]))).toEqual([
      ["conflict-marker", 1, "critical"],
      ["conflict-marker", 3, "critical"],
      ["conflict-marker", 5, "critical"],
    ]);
  });

  it("does not mistake a heading underline or a marker on an unchanged line for a conflict", () => {
    expect(found(file("README.md", ["Title", "======="]))).toEqual([]);
    expect(found(file("a.ts", ["x"], ["<<<<<<< HEAD"]))).toEqual([]);
  });

  it.each([
    ["a.ts", "  debugger;", "warning"],
    ["a.js", "console.log(user);", "suggestion"],
    ["a.py", "    breakpoint()", "warning"],
    ["a.py", "import pdb; pdb.set_trace()", "warning"],
    ["a.rb", "  binding.pry", "warning"],
    ["a.php", "var_dump($user);", "warning"],
  ])("flags a debug leftover in %s: %s", (path, line, severity) => {
    expect(found(file(path, [line]))).toEqual([["debug-leftover", 1, severity]]);
  });

  it.each([
    ["a.ts", "const debuggerEnabled = true;"],
    ["a.ts", "// debugger;"],
    ["a.ts", "logger.log(user);"],
    ["a.py", "def breakpoint_handler():"],
    ["notes.md", "debugger;"],
    ["a.go", "debugger;"],
  ])("leaves %s alone: %s", (path, line) => {
    expect(found(file(path, [line]))).toEqual([]);
  });

  it("offers a deleting suggestion only for statements that can simply go", () => {
    const [debuggerFinding] = runStaticChecks([file("a.ts", ["debugger;"])]).findings;
    const [consoleFinding] = runStaticChecks([file("a.ts", ["console.log(1);"])]).findings;

    expect(debuggerFinding?.suggestion).toBe("");
    expect(consoleFinding?.suggestion).toBeUndefined();
  });

  it("skips a rule that throws and names it, keeping the other rules' findings", () => {
    const broken = {
      id: "broken",
      check: () => {
        throw new Error("boom");
      },
    };
    const result = runStaticChecks(
      [file("a.ts", ["debugger;"])],
      [
        broken,
        {
          id: "ok",
          check: (f: ReviewFile) => [
            {
              path: f.path,
              line: 1,
              severity: "warning" as const,
              category: "bug" as const,
              message: "x",
              source: "ok",
            },
          ],
        },
      ],
    );

    expect(result.failedRules).toEqual(["broken"]);
    expect(result.findings).toHaveLength(1);
  });
});

describe("review/rating-rubric", () => {
  it.each([
    [[], 10],
    [["suggestion", "suggestion"], 10],
    [["warning", "suggestion", "suggestion"], 9],
    [["critical"], 7],
    [["critical", "critical", "critical", "critical"], 1],
  ] as const)("rates %j as %i/10", (severities, score) => {
    expect(rateByRubric(severities.map((severity) => ({ severity }))).score).toBe(score);
  });
});
