import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";

// A real codebase this project controls: Critic's own TypeScript sources, every line counted as
// added so each rule sees all of it. They hold no eval, no debug leftover, no swallowed error and
// no injection, so any finding but complexity is a rule gone noisy.
const root = fileURLToPath(new URL("../../src/", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("static rules over a real codebase", () => {
  it("run without failing over Critic's own sources and flag nothing there but complexity", () => {
    const files = walk(root).map((path) => {
      const lines = readFileSync(path, "utf8").split("\n");
      const patch = `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
      return { path: relative(root, path), status: "added" as const, hunks: parsePatch(patch) };
    });
    const { findings, failedRules, families } = runStaticChecks({
      files,
      rules: builtInRules(),
      complexityThreshold: 15,
    });

    expect(files.length).toBeGreaterThan(100);
    expect(failedRules).toEqual([]);
    expect(families).toContain("function complexity");
    expect(
      findings
        .filter((f) => f.source !== "complexity")
        .map((f) => `${f.path}:${f.line} ${f.source}`),
    ).toEqual([]);
  });
});
