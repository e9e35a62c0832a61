import { peakRssMb } from "../fakes/critic-process.js";
import { realPullRequest } from "../lib/real-patches.js";
import { judged, row, type ScenarioResult } from "../lib/report.js";
import { type Pr, shaOf, withBench } from "../lib/setup.js";

/**
 * A 3,000-file PR (GitHub's most for `pulls/{n}/files`) of about 100 changed lines per file cut
 * from real sources, reviewed by a fresh server: time until the final summary is written, and the
 * server's peak resident memory (VmHWM).
 */
export async function hugePr(): Promise<ScenarioResult> {
  const files = realPullRequest(3_000, 100, 41);
  const lines = files.reduce((n, f) => n + f.changes, 0);
  const pr: Pr = { installation: 701, owner: "huge", repo: "app", number: 1, sha: shaOf("huge") };
  return withBench({ github: { files }, prs: [pr] }, async (bench) => {
    const idle = peakRssMb(bench.critic.pid);
    const started = performance.now();
    await bench.open(pr);
    await bench.reviewed([pr], 600_000);
    const seconds = (performance.now() - started) / 1000;
    const peak = peakRssMb(bench.critic.pid);
    const review = bench.github.reviews[0];
    return {
      id: "huge",
      title: "Huge PR",
      method: `One PR of ${files.length} files and ${lines} changed lines (added + deleted, real code), on a server started for it alone; the model answers at once. Time from the webhook to the final summary; peak resident memory of the server process (VmHWM from /proc), which includes Node, Probot and the grammars (${idle.toFixed(0)} MB after start-up).`,
      rows: [
        judged("peak RSS", `${peak.toFixed(0)} MB`, "≤ 300 MB", peak <= 300),
        row("time to the review and summary", `${seconds.toFixed(1)} s`),
        row("inline comments in the review", String(review?.comments ?? 0)),
        row("model requests", String(bench.llm.requests)),
      ],
      notes: [],
    };
  });
}
