import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";
import type { ReviewFile } from "../../src/model/types.js";

/**
 * A change to `head` at `line` (1-based): `removed` lines go, `added` lines take their place,
 * with three lines of context either side, as `diff -u` writes it.
 */
function change(head: string[], line: number, removed: string[], added: string[]) {
  const before = head.slice(Math.max(0, line - 4), line - 1);
  const after = head.slice(line - 1 + added.length, line - 1 + added.length + 3);
  const start = line - before.length;
  const body = [
    ...before.map((l) => ` ${l}`),
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    ...after.map((l) => ` ${l}`),
  ];
  const oldCount = before.length + removed.length + after.length;
  const newCount = before.length + added.length + after.length;
  return {
    file: {
      path: "lib.js",
      status: "modified",
      hunks: parsePatch(`@@ -${start},${oldCount} +${start},${newCount} @@\n${body.join("\n")}`),
    } satisfies ReviewFile,
    headTexts: new Map([["lib.js", head.join("\n")]]),
  };
}

const complexity = (c: ReturnType<typeof change>, basis: "file" | "hunks" = "file") =>
  runStaticChecks({
    files: [c.file],
    headTexts: basis === "file" ? c.headTexts : undefined,
    rules: builtInRules(),
    complexityThreshold: 15,
  }).findings.filter((f) => f.source === "complexity");

/** lodash's shape: one IIFE around the whole file, with decision points of its own and 600 functions inside. */
function bigIife(version: string): string[] {
  const lines = [";(function() {", "  var undefined;", `  var VERSION = '${version}';`];
  for (let i = 0; i < 20; i++)
    lines.push(`  var has${i} = typeof root${i} == 'object' && root${i} && root${i}.Object;`);
  for (let i = 0; i < 600; i++)
    lines.push(
      `  function helper${i}(value) {`,
      `    if (value == null) {`,
      `      return ${i};`,
      "    }",
      "    return value;",
      "  }",
    );
  lines.push("}.call(this));");
  return lines;
}

describe("static-checks/complexity: only decision points the change adds", () => {
  it("does not flag a 3,800-line IIFE for a version bump inside it, from the head file or the hunks", () => {
    const head = bigIife("4.17.21");
    expect(head.length).toBeGreaterThan(3_600);
    const bump = change(head, 3, ["  var VERSION = '4.17.20';"], ["  var VERSION = '4.17.21';"]);

    expect(complexity(bump, "file")).toEqual([]);
    expect(complexity(bump, "hunks")).toEqual([]);
  });

  it("flags the IIFE when the change adds a decision point to its own body", () => {
    const head = bigIife("4.17.21");
    head.splice(3, 0, "  var freeSelf = typeof self == 'object' && self;");
    const added = change(head, 4, [], ["  var freeSelf = typeof self == 'object' && self;"]);

    const [finding] = complexity(added);

    expect(finding).toMatchObject({ line: 4, severity: "warning" });
    expect(finding?.message).toContain(
      "`anonymous function` has a cyclomatic complexity of 42 (threshold 15): 41 × &&; this change adds 1.",
    );
  });

  const route = (extra: string[] = []) => [
    "export function route(x, y) {",
    ...Array.from({ length: 16 }, (_, i) => `  if (x === ${i}) return ${i};`),
    ...extra,
    "  return -1;",
    "}",
  ];

  it("flags an already complex function when an added line brings an `if`, on that line", () => {
    const head = route(["  if (y) return 99;"]);
    const added = change(head, 18, [], ["  if (y) return 99;"]);

    const findings = complexity(added);

    expect(findings.map((f) => [f.line, f.message.split(". Split")[0]])).toEqual([
      [18, "`route` has a cyclomatic complexity of 18 (threshold 15): 17 × if; this change adds 1"],
    ]);
  });

  it("does not flag it for an edited line that adds no decision point", () => {
    const head = route().map((l) => (l === "  return -1;" ? "  return -2;" : l));
    const edited = change(head, 18, ["  return -1;"], ["  return -2;"]);

    expect(complexity(edited)).toEqual([]);
  });

  it("counts an && on an added continuation line, where the operator is written", () => {
    const head = route(["  if (y", "    && x > 100) return 100;"]);
    const added = change(head, 19, ["    ) return 100;"], ["    && x > 100) return 100;"]);

    expect(complexity(added).map((f) => f.line)).toEqual([19]);
  });

  it("does not flag the outer function for a decision point added to a nested one", () => {
    const head = route([
      "  const check = (v) => {",
      "    if (v) return 1;",
      "    return 0;",
      "  };",
    ]);
    const added = change(head, 19, [], ["    if (v) return 1;"]);

    expect(complexity(added)).toEqual([]);
  });
});
