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
  const time = (args: string[]) => {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, [BIN, ...args], {
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
    ],
    notes: [
      "The issue's target for a one-file diff is 500 ms plus analysis time: the review's figure includes loading the tree-sitter grammars, compiling the built-in rules and loading the tokenizer's tables, which a file needs.",
    ],
  };
}
