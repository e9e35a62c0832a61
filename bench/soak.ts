/**
 * `npm run soak`: 200 pull requests (`--prs N`) against the fakes with faults injected from a
 * seeded random source (`--seed S`), reviewed by the real server as a child process. Prints the
 * tally and exits non-zero unless every PR got exactly one review and one summary, nothing was
 * posted on a superseded head and the server never crashed. `--in-process` runs Critic in this
 * process instead (what the test suite does with 20 PRs).
 */
import { parseArgs } from "node:util";
import { formatSoak, runSoak } from "./lib/soak-core.js";

const { values } = parseArgs({
  options: {
    prs: { type: "string", default: "200" },
    seed: { type: "string", default: "42" },
    "in-process": { type: "boolean", default: false },
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
