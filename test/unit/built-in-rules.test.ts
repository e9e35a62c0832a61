import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import type { CompiledRule } from "../../src/engine/static/compile-rules.js";
import { languageOf } from "../../src/engine/static/languages.js";
import { runAstRules } from "../../src/engine/static/run-ast-rules.js";

const DEFAULT_PATH: Record<string, string> = {
  javascript: "src/example.js",
  typescript: "src/example.ts",
  tsx: "src/example.tsx",
  python: "app/example.py",
  go: "main.go",
  java: "src/Example.java",
  ruby: "app/example.rb",
  php: "src/example.php",
  rust: "src/main.rs",
  bash: "scripts/run.sh",
};

/** Runs one rule over a snippet whose every line counts as added. */
function findingsOf(rule: CompiledRule, sample: string | { path: string; code: string }) {
  const path =
    typeof sample === "string" ? (DEFAULT_PATH[rule.languages[0] ?? ""] ?? "x") : sample.path;
  const text = typeof sample === "string" ? sample : sample.code;
  const language = languageOf(path);
  if (!language) throw new Error(`no language for ${path}`);
  const added = new Set(text.split("\n").map((_, i) => i + 1));
  return runAstRules([{ path, language, text, added, basis: "file" }], [rule]).findings;
}

const rules = builtInRules();

describe("built-in rules", () => {
  it("compile, and each has at least two positive and two negative examples", () => {
    expect(rules.length).toBeGreaterThanOrEqual(25);
    const thin = rules.filter(
      (r) => (r.config.tests?.invalid.length ?? 0) < 2 || (r.config.tests?.valid.length ?? 0) < 2,
    );
    expect(thin.map((r) => r.id)).toEqual([]);
  });

  describe.each(rules.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
    it.each(
      (rule.config.tests?.invalid ?? []).map(
        (t) => [typeof t === "string" ? t : t.code, t] as const,
      ),
    )("flags %j", (_label, sample) => {
      expect(findingsOf(rule, sample).length).toBeGreaterThan(0);
    });
    it.each(
      (rule.config.tests?.valid ?? []).map((t) => [typeof t === "string" ? t : t.code, t] as const),
    )("leaves %j alone", (_label, sample) => {
      expect(findingsOf(rule, sample)).toEqual([]);
    });
  });
});
