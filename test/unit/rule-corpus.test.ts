import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";

// A real codebase: the TypeScript sources the openai package ships (about 300 files), at the
// version package-lock.json pins. Every line counts as added, so each rule sees all of it.
const root = join(fileURLToPath(new URL("../../node_modules/openai/", import.meta.url)), "src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("static rules over a real codebase", () => {
  it("find exactly this many problems per rule (a change here means a rule got noisier or blinder)", () => {
    const files = walk(root).map((path) => {
      const lines = readFileSync(path, "utf8").split("\n");
      const patch = `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
      return { path: relative(root, path), status: "added" as const, hunks: parsePatch(patch) };
    });
    const { findings, failedRules } = runStaticChecks({
      files,
      rules: builtInRules(),
      complexityThreshold: 15,
    });
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.source] = (counts[f.source] ?? 0) + 1;

    expect(files.length).toBeGreaterThan(250);
    expect(failedRules).toEqual([]);
    expect(counts).toMatchInlineSnapshot(`
      {
        "complexity": 34,
        "empty-catch": 4,
        "todo-without-link": 7,
      }
    `);
  });
});
