import { describe, expect, it } from "vitest";
import { type CompiledRule, compileRules } from "../../src/engine/static/compile-rules.js";
import { runAstRules } from "../../src/engine/static/run-ast-rules.js";

/** Compiles one rule from YAML, failing the test on a compile error. */
function rule(yaml: string): CompiledRule {
  const { rules, errors } = compileRules([{ label: "test.yml", text: yaml }]);
  expect(errors).toEqual([]);
  const [compiled] = rules;
  if (!compiled) throw new Error("no rule");
  return compiled;
}

function run(path: string, language: string, lines: readonly string[], rules: CompiledRule[]) {
  const text = lines.join("\n");
  const added = new Set(lines.map((_, i) => i + 1));
  return runAstRules([{ path, language, text, added, basis: "file" }], rules);
}

const header = (language: string, matcher: string) =>
  `id: t\nlanguage: ${language}\nseverity: error\nmessage: m\nnote: n\nmetadata: { category: security }\nrule: ${matcher}\n`;

const SELECT = `literal_matches: "(?i)\\\\bselect\\\\b"`;

const rubySql = rule(
  `${header("ruby", "{ kind: call, has: { field: method, regex: '^execute$' } }")}sink: { argument: 0, built_from_non_literal: true, ${SELECT} }`,
);
const rustSql = rule(
  `${header("rust", "{ kind: call_expression, has: { field: function, regex: 'execute$' } }")}sink: { argument: 0, built_from_non_literal: true, ${SELECT} }`,
);
const goSql = rule(
  `${header("go", "{ pattern: { context: 'func t() { $DB.Query($Q) }', selector: call_expression } }")}sink: { argument: $Q, built_from_non_literal: true, ${SELECT} }`,
);
const phpSql = rule(
  `${header("php", "{ kind: member_call_expression, has: { field: name, regex: '^query$' } }")}sink: { argument: 0, built_from_non_literal: true, ${SELECT} }`,
);

describe("engine/static/trace-value across languages", () => {
  it("follows a Ruby method's local built with + (tree-sitter-ruby calls it `binary`)", () => {
    const found = run(
      "a.rb",
      "ruby",
      [
        "def report(db, region)",
        '  sql = "SELECT * FROM orders WHERE region = \'" + region + "\'"',
        "  db.execute(sql)",
        "end",
      ],
      [rubySql],
    );

    expect(found.findings).toMatchObject([{ line: 3, startLine: 2 }]);
  });

  it("leaves a Ruby + of literals alone, and a heredoc without interpolation", () => {
    const found = run(
      "a.rb",
      "ruby",
      [
        "def report(db)",
        '  sql = "SELECT * FROM orders WHERE region = " + "\'north\'"',
        "  db.execute(sql)",
        "  db.execute(<<~SQL)",
        "    SELECT count(*) FROM orders",
        "  SQL",
        "end",
      ],
      [rubySql],
    );

    expect(found.findings).toEqual([]);
  });

  it("follows Ruby's << appends, ternaries, format and interpolated heredocs", () => {
    const found = run(
      "a.rb",
      "ruby",
      [
        "def search(db, role, name, flag)",
        '  sql = "SELECT id FROM users WHERE 1 = 1"',
        "  sql << \" AND role = '#{role}'\" if role",
        "  db.execute(sql)",
        '  pick = flag ? "SELECT 1" : format("SELECT * FROM t WHERE n = \'%s\'", name)',
        "  db.execute(pick)",
        "  db.execute(<<~SQL)",
        "    SELECT * FROM users WHERE name = '#{name}'",
        "  SQL",
        "end",
      ],
      [rubySql],
    );

    expect(found.findings.map((f) => f.line)).toEqual([4, 6, 7]);
  });

  it("reads Rust's format! arguments and inline captures, and a const as a literal", () => {
    const found = run(
      "a.rs",
      "rust",
      [
        'const TABLE: &str = "person";',
        "fn f(conn: &Connection, id: &str) {",
        '    let fixed = format!("SELECT * FROM {TABLE} WHERE id = {}", 7);',
        "    conn.execute(&fixed, []);",
        '    let none = format!("SELECT count(*) FROM person");',
        "    conn.execute(&none, []);",
        '    conn.execute(&format!("SELECT * FROM person WHERE id = {id}"), []);',
        '    let named = format!("SELECT * FROM {t} WHERE id = {}", id, t = TABLE);',
        "    conn.execute(named.as_str(), []);",
        '    let mut sql = String::from("SELECT * FROM person WHERE name = ");',
        "    sql.push_str(&id);",
        "    conn.execute(&sql, []);",
        "}",
      ],
      [rustSql],
    );

    expect(found.findings.map((f) => f.line)).toEqual([7, 9, 12]);
  });

  it("follows Go's fmt.Fprintf into a strings.Builder", () => {
    const found = run(
      "a.go",
      "go",
      [
        "package main",
        "func f(db *sql.DB, name string) {",
        "\tvar b strings.Builder",
        '\tb.WriteString("SELECT * FROM users")',
        "\tfmt.Fprintf(&b, \" WHERE name = '%s'\", name)",
        "\tdb.Query(b.String())",
        "\tvar c strings.Builder",
        '\tc.WriteString("SELECT * FROM users")',
        '\tfmt.Fprintf(&c, " LIMIT %d", 50)',
        "\tdb.Query(c.String())",
        "}",
      ],
      [goSql],
    );

    expect(found.findings).toMatchObject([{ line: 6, startLine: 3 }]);
  });

  it("reads variables in a PHP heredoc", () => {
    const found = run(
      "a.php",
      "php",
      [
        "<?php",
        "function f($db, $name) {",
        "$q = <<<SQL",
        "SELECT * FROM t WHERE a = '$name'",
        "SQL;",
        "$db->query($q);",
        "}",
      ],
      [phpSql],
    );

    expect(found.findings).toMatchObject([{ line: 6, startLine: 3 }]);
  });

  it("puts a finding in a call chain split over lines on the method's line", () => {
    const shell = rule(
      `${header("rust", "{ kind: call_expression, has: { field: function, regex: '\\.arg$' } }")}sink: { argument: 0, built_from_non_literal: true }`,
    );

    const found = run(
      "a.rs",
      "rust",
      [
        "fn f(path: &str) {",
        '    let cmd = format!("xdg-open {}", path);',
        '    Command::new("sh")',
        "        .arg(&cmd)",
        "        .spawn();",
        "}",
      ],
      [shell],
    );

    expect(found.findings).toMatchObject([{ line: 4, startLine: 2 }]);
  });
});

describe("engine/static value tracking on hostile input", () => {
  it("stays linear on chains thousands of links deep", () => {
    const links = 8_000;
    const ruby = [
      "def f(db, x)",
      '  sql = "SELECT 1"',
      `  sql${" << x".repeat(links)}`,
      "  db.execute(sql)",
      "end",
    ];
    const rust = [
      "fn f(conn: &Connection, x: &str) {",
      `    let q = format!("SELECT {}"${", x".repeat(300)});`,
      ...Array.from({ length: 200 }, () => "    conn.execute(&q, []);"),
      "}",
    ];

    const started = performance.now();
    const a = run("a.rb", "ruby", ruby, [rubySql]);
    const b = run("a.rs", "rust", rust, [rustSql]);
    const elapsed = performance.now() - started;

    expect(a.failedRules).toEqual([]);
    expect(a.findings).toHaveLength(1);
    expect(b.failedRules).toEqual([]);
    // When bindings climbed ancestors, 2,000 links took 4 s (quadratic: 8,000 about a minute).
    expect(elapsed).toBeLessThan(5_000);
  });
});

describe("rule key `sink.non_literal_matches`", () => {
  const kwargs = rule(
    `${header("python", "{ pattern: 'yaml.load($S, **$KW)' }")}sink: { argument: $KW, built_from_non_literal: true, non_literal_matches: "Loader['\\"]?\\\\s*[:=]\\\\s*yaml\\\\.Loader" }`,
  );

  it("keeps a match whose argument stops at a non-literal the expression accepts", () => {
    const found = run(
      "a.py",
      "python",
      [
        "def a(s):",
        "    kw = {'Loader': yaml.Loader}",
        "    return yaml.load(s, **kw)",
        "def b(s):",
        "    kw = dict(Loader=yaml.Loader)",
        "    return yaml.load(s, **kw)",
      ],
      [kwargs],
    );

    expect(found.findings.map((f) => f.line)).toEqual([3, 6]);
  });

  it("drops it when the argument stops elsewhere: a parameter, another value", () => {
    const found = run(
      "a.py",
      "python",
      [
        "def a(s, **kw):",
        "    return yaml.load(s, **kw)",
        "def b(s):",
        "    kw = {'Loader': yaml.SafeLoader}",
        "    return yaml.load(s, **kw)",
      ],
      [kwargs],
    );

    expect(found.findings).toEqual([]);
  });

  it("is checked as a regular expression when the rule compiles", () => {
    const { errors } = compileRules([
      {
        label: "a.yml",
        text: `${header("python", "{ pattern: eval($X) }")}sink: { argument: 0, built_from_non_literal: true, non_literal_matches: "(" }`,
      },
    ]);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("not a valid regular expression");
  });
});
