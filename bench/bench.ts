/**
 * `npm run bench`: Critic's speed, cost and reliability figures against their targets, measured on
 * loopback fakes (bench/fakes/) with the real server. Prints a table per scenario and writes
 * BENCHMARKS.md. `--only ack,calls` runs some scenarios (their sections are replaced, the others
 * kept); `--list` names them.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { printTable, type ScenarioResult, SECTIONS, updateBenchmarksMd } from "./lib/report.js";
import { ackLatency } from "./scenarios/ack.js";
import { llmCost, restCalls } from "./scenarios/calls-and-cost.js";
import { cliStartup } from "./scenarios/cli-startup.js";
import { hostileInput } from "./scenarios/hostile.js";
import { hugePr } from "./scenarios/huge.js";
import { injection } from "./scenarios/injection.js";
import { latency } from "./scenarios/latency.js";
import { pipelineOverhead } from "./scenarios/overhead.js";
import { staticEngine } from "./scenarios/static-engine.js";
import { storeCost } from "./scenarios/store.js";
import { throughput } from "./scenarios/throughput.js";

const SCENARIOS: Record<string, { what: string; run: () => Promise<ScenarioResult> }> = {
  ack: { what: "webhook ack latency at 200 deliveries/s", run: ackLatency },
  overhead: { what: "CPU per review per 1,000 diff lines", run: pipelineOverhead },
  throughput: {
    what: "reviews per minute over 30 installations; one installation's writes per minute",
    run: throughput,
  },
  latency: {
    what: "webhook → review with a 500 ms model; 10 PRs at once and a backlog in one installation",
    run: latency,
  },
  calls: { what: "GitHub REST calls per review, by endpoint", run: restCalls },
  cost: { what: "model requests and prompt tokens per review", run: llmCost },
  huge: { what: "a 3,000-file, 300,000-line PR: peak RSS and time", run: hugePr },
  hostile: {
    what: "a 200 KB word, a 126,500-line hunk and a 40 MB body: health, acks, memory, logs",
    run: hostileInput,
  },
  injection: {
    what: "a comment telling the reviewer to approve and rate 10/10, with a model that obeys",
    run: injection,
  },
  static: { what: "static engine ms per changed file, by language", run: staticEngine },
  cli: { what: "critic --help, --version and a one-file review, from the shell", run: cliStartup },
  store: {
    what: "the review history store: server start-up and memory with and without it; its rates",
    run: storeCost,
  },
};

const { values } = parseArgs({
  options: { only: { type: "string" }, list: { type: "boolean" }, out: { type: "string" } },
});
if (values.list) {
  for (const [id, s] of Object.entries(SCENARIOS)) console.log(`${id.padEnd(12)} ${s.what}`);
  process.exit(0);
}
const ids = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(SCENARIOS);
const unknown = ids.filter((id) => !(id in SCENARIOS));
if (unknown.length > 0) {
  console.error(
    `unknown scenario ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}`,
  );
  process.exit(2);
}

const results: ScenarioResult[] = [];
let failed = false;
for (const id of ids) {
  const scenario = SCENARIOS[id];
  if (!scenario) continue;
  const started = performance.now();
  process.stdout.write(`running ${id} (${scenario.what})…`);
  try {
    const result = await scenario.run();
    console.log(` ${((performance.now() - started) / 1000).toFixed(0)} s`);
    printTable(result);
    results.push(result);
  } catch (error) {
    failed = true;
    console.log(" failed");
    console.error(error);
  }
}
const out = values.out ?? join(process.cwd(), "BENCHMARKS.md");
updateBenchmarksMd(out, SECTIONS, results);
console.log(`\nwrote ${out}`);
// The bench reports; it does not gate. A scenario that could not run at all is an error, though.
process.exitCode = failed ? 1 : 0;
