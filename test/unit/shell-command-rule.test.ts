import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";
import type { ReviewFile } from "../../src/model/types.js";

const rules = builtInRules().filter((r) => r.id === "shell-command-from-variable");

const shellFindings = (file: ReviewFile, headText?: string) =>
  runStaticChecks({
    files: [file],
    rules,
    headTexts: headText === undefined ? undefined : new Map([[file.path, headText]]),
  }).findings.map((f) => [f.line, f.basis]);

describe("rules/shell-command-from-variable", () => {
  // A file in the style without semicolons; the regex line is guarded by the `;` before it.
  const head = [
    'import { exec } from "node:child_process"',
    "export const url = readUrl()",
    ";/regex/.exec(url)",
    "export function run(command) {",
    "  exec(command)",
    "}",
  ].join("\n");

  it("takes `/regex/.exec(url)` for RegExp.prototype.exec in a whole file, and still flags exec(command)", () => {
    const file: ReviewFile = {
      path: "src/host.js",
      status: "added",
      hunks: parsePatch(
        `@@ -0,0 +1,6 @@\n${head
          .split("\n")
          .map((l) => `+${l}`)
          .join("\n")}`,
      ),
    };

    expect(shellFindings(file, head)).toEqual([[5, "file"]]);
  });

  it("does not take `/regex/.exec(url)` for a shell from hunks that leave out the line before it", () => {
    // `git diff -U0`: hunks without context. Read from its hunks alone, line 2 runs into line 4
    // and the regex literal parses as a division, leaving `exec(url)` after a stray `.`.
    const file: ReviewFile = {
      path: "src/host.js",
      status: "modified",
      hunks: parsePatch(
        [
          "@@ -2 +2 @@",
          "-  const url = location.href",
          "+  const url = readUrl()",
          "@@ -3,0 +4 @@",
          "+/regex/.exec(url)",
        ].join("\n"),
      ),
    };

    expect(shellFindings(file)).toEqual([]);
  });
});
