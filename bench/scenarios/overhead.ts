import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mainThreadCpuMs } from "../fakes/critic-process.js";
import { topFunctions } from "../lib/cpu-profile.js";
import { mainThreadBusyMs } from "../lib/health-poller.js";
import { treeCpuMs } from "../lib/process-tree.js";
import { type GitHubFile, realPullRequest } from "../lib/real-patches.js";
import { judged, row, type ScenarioResult } from "../lib/report.js";
import { type Pr, shaOf, spreadPrs, withBench } from "../lib/setup.js";

const PRS = 40;
const FILES = 20;
const LINES_PER_FILE = 50;

/**
 * CPU the server spends per review, model wait excluded, and how much of it is the main thread's: 40 PRs of 20 real files (patches cut
 * from TypeScript sources in node_modules) reviewed one installation each, after one warm-up
 * review per installation (tokens minted, code paths compiled). The model answers at once, and
 * the fakes run in this process, so the server's CPU time (/proc) is Critic's alone.
 */
export async function pipelineOverhead(): Promise<ScenarioResult> {
  // Each PR changes other lines of the same sources: a measured review repeats no warm-up's prompt,
  // so every one of them pays for its model call, as a new PR does, rather than hitting the answer cache.
  const filesOf = new Map<number, GitHubFile[]>();
  const files = (pr: { pull: number; repo: string }) => {
    const key = Number(/\d+/.exec(pr.repo)?.[0] ?? 0) * 1_000 + pr.pull;
    let cached = filesOf.get(key);
    if (!cached) {
      cached = realPullRequest(FILES, LINES_PER_FILE, 7 + key * 100);
      filesOf.set(key, cached);
    }
    return cached;
  };
  const profileDir = await mkdtemp(join(tmpdir(), "critic-prof-"));
  const warm = spreadPrs(PRS, PRS);
  const measured: Pr[] = warm.map((pr) => ({
    ...pr,
    number: pr.number + 1,
    sha: shaOf(`m-${pr.installation}`),
  }));
  const measure = (nodeArgs: string[]) =>
    withBench({ github: { files }, prs: [...warm, ...measured], nodeArgs }, async (bench) => {
      await Promise.all(warm.map((pr) => bench.open(pr)));
      await bench.reviewed(warm, 120_000);
      const callsBefore = bench.llm.calls.length;
      // The server's CPU with its analysis processes' (live, and those already ended).
      const before = treeCpuMs(bench.critic.pid);
      const busyBefore = await mainThreadBusyMs(bench.critic.port);
      const mainBefore = mainThreadCpuMs(bench.critic.pid);
      const started = performance.now();
      await Promise.all(measured.map((pr) => bench.open(pr)));
      await bench.reviewed(measured, 120_000);
      const cpu = treeCpuMs(bench.critic.pid) - before;
      const busy = (await mainThreadBusyMs(bench.critic.port)) - busyBefore;
      const main = mainThreadCpuMs(bench.critic.pid) - mainBefore;
      const wall = performance.now() - started;
      const modelCalls = bench.llm.calls.length - callsBefore;
      await bench.critic.stopGracefully();
      return { cpu, busy, main, wall, modelCalls };
    });
  const { cpu, busy, main, wall, modelCalls } = await measure([]);
  const lines =
    measured.reduce(
      (sum, pr) =>
        sum +
        files({ pull: pr.number, repo: pr.repo }).reduce(
          (n, f) => n + f.additions + f.deletions,
          0,
        ),
      0,
    ) / measured.length;
  const perReview = cpu / PRS;
  const perKLines = perReview / (lines / 1000);
  const ok = perKLines <= 5;
  const busyPerKLines = busy / PRS / (lines / 1000);
  const mainPerKLines = main / PRS / (lines / 1000);
  const notes: string[] = [];
  if (!ok) {
    // A second, profiled run names where the time goes (profiling slows it; the figure above is unprofiled).
    await measure([`--cpu-prof`, `--cpu-prof-dir=${profileDir}`]);
    notes.push(
      `Target missed. Where the server's busy time goes, by self time (\`node --cpu-prof\` on a second run, warm-up included): ${topFunctions(profileDir, 10).join("; ")}. \`runAstRules\` is the static engine: ast-grep parsing each changed file and running the built-in rules over it, in native code called from that function (see the static engine section for the cost per file and language).`,
    );
  }
  return {
    id: "overhead",
    title: "Pipeline overhead (CPU per review, model wait excluded)",
    method: `${PRS} reviews of a ${FILES}-file PR with ${Math.round(lines)} changed lines on average (added + deleted) cut from real TypeScript in node_modules, each PR its own changes (so no review is answered from the answer cache: ${modelCalls} model calls for ${PRS} reviews); the CPU time (user + system, from /proc) of the server and its analysis processes over the measured reviews, divided by the reviews and by thousands of changed lines. It covers everything the server does for a review: webhook, GitHub calls, parsing, secret scan, static checks, prompt building, answer parsing, anchoring, rendering. The main thread's own CPU time (what delays webhooks) is read from /proc for that thread alone; its event-loop utilisation is the server's \`critic_main_thread_busy_seconds\` (which also counts time the thread waited for a core); the rest of the CPU is spent in the analysis processes.`,
    rows: [
      row("CPU per review", `${perReview.toFixed(1)} ms`),
      judged("CPU per review per 1,000 changed lines", `${perKLines.toFixed(2)} ms`, "≤ 5 ms", ok),
      judged(
        "main thread's own CPU per review per 1,000 changed lines",
        `${mainPerKLines.toFixed(1)} ms`,
        "≤ 20 ms",
        mainPerKLines <= 20,
      ),
      row(
        "main thread busy (event-loop utilisation) per review per 1,000 changed lines",
        `${busyPerKLines.toFixed(1)} ms`,
      ),
      row("model calls during the measured reviews", `${modelCalls}`),
      row("wall time for the measured reviews", `${(wall / 1000).toFixed(1)} s`),
    ],
    notes,
  };
}
