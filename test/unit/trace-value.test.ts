import { describe, expect, it } from "vitest";
import { compileRules } from "../../src/engine/static/compile-rules.js";
import { runAstRules } from "../../src/engine/static/run-ast-rules.js";

/** Compiles one rule from YAML, failing the test on a compile error. */
function rule(yaml: string) {
  const { rules, errors } = compileRules([{ label: "test.yml", text: yaml }]);
  expect(errors).toEqual([]);
  const [compiled] = rules;
  if (!compiled) throw new Error("no rule");
  return compiled;
}

function run(path: string, language: string, text: string, rules = [pythonSql]) {
  const added = new Set(text.split("\n").map((_, i) => i + 1));
  return runAstRules([{ path, language, text, added, basis: "file" }], rules);
}

const pythonSql = rule(`
id: test-sql
language: python
severity: error
message: SQL from strings.
note: Use parameters.
metadata: { category: security }
rule: { pattern: $C.execute($Q) }
sink: { argument: $Q, built_from_non_literal: true, literal_matches: "(?i)^\\\\s*select\\\\b" }
`);

describe("engine/static/trace-value (rule key `sink`)", () => {
  it("sits on the sink's line and spans up to the first line that built the value", () => {
    const text = [
      "def f(cur, name):",
      "    q = 'SELECT * FROM t WHERE a = 1'",
      "    log('unrelated')",
      '    q += " AND name = \'" + name + "\'"',
      "    cur.execute(q)",
    ].join("\n");

    const { findings } = run("a.py", "python", text);

    expect(findings).toMatchObject([{ line: 5, startLine: 2, source: "test-sql" }]);
  });

  it("leaves a value built only from literals alone, through any number of assignments", () => {
    const text = [
      "def f(cur):",
      "    base = 'SELECT * FROM t'",
      "    where = ' WHERE age = ' + '3'",
      "    q = base + where",
      "    cur.execute(q)",
    ].join("\n");

    expect(run("a.py", "python", text).findings).toEqual([]);
  });

  it("does not see another function's assignment to the same name", () => {
    const text = [
      "def g(name):",
      "    q = 'SELECT * FROM t WHERE n = ' + name",
      "def f(cur):",
      "    q = 'SELECT 1'",
      "    cur.execute(q)",
    ].join("\n");

    expect(run("a.py", "python", text).findings).toEqual([]);
  });

  it("stops at a chain deeper than its cap without throwing", () => {
    const chain = Array.from({ length: 40 }, (_, i) => `    v${i + 1} = v${i} + 'x'`);
    const text = [
      "def f(cur, name):",
      "    v0 = 'SELECT * FROM t WHERE n = ' + name",
      ...chain,
      "    cur.execute(v40)",
    ].join("\n");

    const result = run("a.py", "python", text);

    expect(result.failedRules).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it("survives odd syntax: a hunk cut mid-function, self-assignment, unpacking", () => {
    const text = [
      "        q = q + name",
      "    a, b = 'SELECT 1', name",
      "    cur.execute(q)",
      "    cur.execute(a)",
      "    cur.execute(",
    ].join("\n");

    expect(run("a.py", "python", text).failedRules).toEqual([]);
  });

  it("rejects a sink with an unknown key or a bad regular expression, naming the rule", () => {
    const base = `id: bad\nlanguage: python\nseverity: error\nmessage: m\nnote: n\nmetadata: { category: security }\nrule: { pattern: eval($X) }\n`;

    const { errors } = compileRules([
      {
        label: "a.yml",
        text: `${base}sink: { argument: 0, built_from_non_literal: true, from: x }`,
      },
      {
        label: "b.yml",
        text: `${base}sink: { argument: 0, built_from_non_literal: true, literal_matches: "(" }`,
      },
    ]);

    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain("rule bad");
    expect(errors[1]).toContain("not a valid regular expression");
  });

  it("leaves rules without `sink` as they were", () => {
    const plain = rule(
      `id: plain\nlanguage: python\nseverity: warning\nmessage: m\nnote: n\nmetadata: { category: style }\nrule: { pattern: eval($X) }\n`,
    );

    const { findings } = run("a.py", "python", "x = 'a'\neval(x)", [plain]);

    expect(findings).toMatchObject([{ line: 2, source: "plain" }]);
    expect(findings[0]?.startLine).toBeUndefined();
  });
});
