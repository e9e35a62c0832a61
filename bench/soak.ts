/**
 * `npm run soak`: 200 pull requests (`--prs N`) against the fakes with faults injected from a
 * seeded random source (`--seed S`), reviewed by the real server as a child process. Prints the
 * tally and exits non-zero unless every PR got exactly one review and one summary, nothing was
 * posted on a superseded head and the server never crashed. `--in-process` runs Critic in this
 * process instead (what the test suite does with 20 PRs).
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { judged, row, SECTIONS, updateBenchmarksMd } from "./lib/report.js";
import { formatSoak, runSoak } from "./lib/soak-core.js";

const { values } = parseArgs({
  options: {
    prs: { type: "string", default: "200" },
    seed: { type: "string", default: "42" },
    "in-process": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const prs = Number(values.prs);
const seed = Number(values.seed);
if (!Number.isInteger(prs) || prs < 1 || !Number.isInteger(seed)) {
  console.error("usage: npm run soak -- [--prs N] [--seed S] [--in-process]");
  process.exit(2);
}
console.log(`soak: ${prs} PRs, seed ${seed}`);
const report = await runSoak({
  prs,
  seed,
  mode: values["in-process"] ? "in-process" : "process",
  timeoutMs: Math.max(60_000, prs * 1_500),
  log: (line) => console.log(`  ${line}`),
});
console.log(formatSoak(report));
process.exitCode = report.clean ? 0 : 1;

// The full soak's tally goes into BENCHMARKS.md beside the bench's figures.
if (prs >= 200 && !values["in-process"]) {
  const sum = (f: (t: (typeof report.prs)[number]) => number) =>
    report.prs.reduce((n, t) => n + f(t), 0);
  const out = values.out ?? join(process.cwd(), "BENCHMARKS.md");
  updateBenchmarksMd(out, SECTIONS, [
    {
      id: "soak",
      title: "Fault soak",
      command: `npm run soak -- --seed ${seed}`,
      method: `\`npm run soak\` (seed ${seed}): ${prs} PRs over 20 installations, the real server as a child process; OpenAI fails 30 % of requests (5xx, 429 with retry-after, hangs past the 1 s timeout, garbage), Gemini 10 %, GitHub 5 % (502s, 30 % of those on writes after the write landed; one secondary rate limit; one 422 on an inline comment). Every tenth PR gets a second push while it is reviewed. ${report.seconds.toFixed(0)} s.`,
      rows: [
        judged(
          "PRs with exactly one review on their last head",
          `${report.prs.filter((t) => t.reviewsOnFinalHead === 1).length} of ${prs}`,
          `${prs} of ${prs}`,
          report.prs.every((t) => t.reviewsOnFinalHead === 1),
        ),
        judged(
          "duplicate reviews",
          String(sum((t) => t.duplicateReviews)),
          "0",
          sum((t) => t.duplicateReviews) === 0,
        ),
        judged(
          "reviews posted on a superseded head",
          String(sum((t) => t.onSupersededHead)),
          "0",
          sum((t) => t.onSupersededHead) === 0,
        ),
        judged(
          "PRs with exactly one summary, recording the last head",
          `${report.prs.filter((t) => t.summaries === 1 && t.summaryFinal).length} of ${prs}`,
          `${prs} of ${prs}`,
          report.prs.every((t) => t.summaries === 1 && t.summaryFinal),
        ),
        judged("crashes", String(report.crashes.length), "0", report.crashes.length === 0),
        row("faults injected, OpenAI", JSON.stringify(report.faults.openai).replace(/"/g, "")),
        row("faults injected, Gemini", JSON.stringify(report.faults.gemini).replace(/"/g, "")),
        row("faults injected, GitHub", JSON.stringify(report.faults.github).replace(/"/g, "")),
        row(
          "requests: OpenAI, Gemini, GitHub",
          `${report.requests.openai}, ${report.requests.gemini}, ${report.requests.github}`,
        ),
      ],
      notes: report.problems.slice(0, 20),
    },
  ]);
  console.log(`wrote ${out}`);
}
