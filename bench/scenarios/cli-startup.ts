import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { judged, percentile, row, type ScenarioResult } from "../lib/report.js";

const RUNS = 7;
const BIN = join(process.cwd(), "bin/critic.js");

/**
 * How long `critic` takes from the shell, as a user runs it: `--help`, `--version`, and a review
 * of a one-file diff with no model (static checks, which load the parsers and the tokenizer in
 * the process), each the median of several runs of the built package (`bin/critic.js`).
 */
export async function cliStartup(): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), "critic-cli-bench-"));
  const diff = join(dir, "one.diff");
  writeFileSync(
    diff,
    [
      "diff --git a/src/pay.js b/src/pay.js",
      "--- a/src/pay.js",
      "+++ b/src/pay.js",
      "@@ -1,2 +1,4 @@",
      " export function pay(amount) {",
      "+  if (amount < 0) throw new Error('negative');",
      "+  return charge(amount);",
      " }",
      "",
    ].join("\n"),
  );
  const time = (args: string[], bare = false) => {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, bare ? args : [BIN, ...args], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "" },
        encoding: "utf8",
      });
      runs.push(performance.now() - started);
      if (result.status !== 0)
        throw new Error(`critic ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    return percentile(
      runs.sort((a, b) => a - b),
      50,
    );
  };
  // The same file's analysis alone, in a fresh process like the CLI's: the modules, grammars,
  // rules and tokenizer it loads, and the analysis itself. What is left of the review's time is
  // the CLI's own: start-up, reading the diff, the engine around the analysis, printing.
  const dist = (path: string) => JSON.stringify(join(process.cwd(), "dist", path));
  const task = {
    file: {
      path: "src/pay.js",
      status: "modified",
      additions: 2,
      deletions: 0,
      patch:
        "@@ -1,2 +1,4 @@\n export function pay(amount) {\n+  if (amount < 0) throw new Error('negative');\n+  return charge(amount);\n }",
    },
    review: true,
    secrets: [],
    ruleSources: [],
    disabled: [],
  };
  const analysisScript = join(dir, "analysis.mjs");
  writeFileSync(
    analysisScript,
    [
      `const { createInThreadAnalyzer } = await import(${dist("engine/analyze/analyzer.js")});`,
      `const analyzer = createInThreadAnalyzer(() => import(${dist("config/analysis-kit.js")}).then((k) => k.analysisKit()));`,
      `await analyzer.analyze([${JSON.stringify(task)}], new AbortController().signal);`,
    ].join("\n"),
  );
  const analysis = time([analysisScript], true);
  const help = time(["--help"]);
  const version = time(["--version"]);
  const review = time(["review", "--diff", diff]);
  return {
    id: "cli",
    title: "CLI start-up",
    method: `\`node bin/critic.js\` (the built package) run ${RUNS} times each from an empty folder, median wall time: \`--help\`, \`--version\`, and \`review --diff\` of a one-file, two-line JavaScript diff with no model key (the static checks run in the process, so the parsers, rules and tokenizer are loaded and used).`,
    rows: [
      judged("critic --help", `${help.toFixed(0)} ms`, "≤ 300 ms", help <= 300),
      judged("critic --version", `${version.toFixed(0)} ms`, "≤ 300 ms", version <= 300),
      row("critic review --diff (one file, static checks)", `${review.toFixed(0)} ms`),
      row(
        "a process that only analyses that file (Node, grammar, rules, tokenizer, analysis)",
        `${analysis.toFixed(0)} ms`,
      ),
      judged(
        "the CLI's own cost on top: arguments, diff, engine, output",
        `${(review - analysis).toFixed(0)} ms`,
        "≤ 500 ms",
        review - analysis <= 500,
      ),
    ],
    notes: [
      "The bare analysis runs the same file through the built analyzer and built-in rules in a script of its own, the way the CLI does in its thread; the difference is what the CLI adds. Close to zero, or below it within noise, means the CLI loads nothing a file does not need.",
    ],
  };
}
