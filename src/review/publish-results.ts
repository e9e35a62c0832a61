import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.schema.js";
import { decideGate } from "../engine/merge/decide-gate.js";
import type { GitHub } from "../github/octokit.js";
import type { IssueComment, PullRef } from "../github/pull-request.js";
import { writeSummary } from "../github/write-summary.js";
import type { ReviewResult } from "../model/review-result.js";
import type { ChangedFile } from "../model/types.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { parseState } from "../render/markers.js";
import { renderCheckOutput } from "../render/render-check-run.js";
import { renderSummary, summaryOf } from "../render/render-summary.js";
import type { ActedOn } from "../store/thread-outcomes.js";
import { SUPERSEDED } from "./handle-failure.js";
import { dismissChangeRequests, publishReview } from "./publish-review.js";
import type { CheckReport } from "./report-check.js";
import { type ReviewDeps, summaryStore } from "./review-deps.js";

/**
 * Publishes a finished review: the quality gate's decision, one review with the inline comments
 * (or a change request when the gate fails and the repository asks for one), the summary, and the
 * check run's conclusion with the findings as annotations.
 */
export async function publishResults(
  deps: Pick<
    ReviewDeps,
    | "core"
    | "clock"
    | "version"
    | "pauses"
    | "verifyBeforePost"
    | "summaryLock"
    | "summaries"
    | "appId"
    | "botLogin"
    | "pullHeads"
  >,
  params: {
    gh: GitHub;
    log: Logger;
    ref: PullRef;
    job: ReviewJob;
    config: RepoConfig;
    result: ReviewResult;
    prFiles: readonly ChangedFile[];
    /** The summary as the review found it; undefined when there was none. */
    summary: IssueComment | undefined;
    check: CheckReport;
    notes: readonly string[];
    /** The repository's acted-on share, for the footer (when there is a database). */
    actedOn?: ActedOn | undefined;
    gateActive: boolean;
    signal: AbortSignal;
  },
): Promise<void> {
  const { gh, log, ref, job, config, result } = params;
  const redactor = deps.core.redactor;
  // Only findings on the pull request's own files count and are annotated: a path a model
  // invented can neither trip the gate nor make GitHub refuse the check run.
  const prPaths = new Set(params.prFiles.map((f) => f.path));
  const findings = [...result.inline, ...result.summaryOnly].filter(
    (f) => prPaths.has(f.path) && f.line >= 1,
  );
  const gate = decideGate({ gate: config.gate, findings, rating: result.rating, ai: result.ai });
  const requestChanges = config.review_event === "request_changes" && gate.conclusion === "failure";
  // Asked again just before each write that names the head (the webhooks' record, no GitHub
  // read): settling threads, and GitHub's 5xx retries, widen the window since the review's check.
  const headMoved = async () => {
    const latest = await deps.pullHeads?.latest(pullKey(job)).catch(() => undefined);
    if (!latest || latest.sha === job.headSha) return false;
    log.info(
      { head: latest.sha },
      "head moved while the review was posted; the rest is left to the newer review",
    );
    await params.check.complete("cancelled", SUPERSEDED);
    return true;
  };
  if (await headMoved()) return;
  const published = await publishReview(
    { gh, log, redactor, clock: deps.clock },
    {
      ref,
      headSha: job.headSha,
      inline: result.inline,
      verifyFirst: deps.verifyBeforePost === true && job.rerun === true,
      requestChanges: requestChanges ? { reasons: gate.reasons } : undefined,
      signal: params.signal,
    },
  );
  // Only a passing gate lifts Critic's earlier change requests: `neutral` (every AI provider
  // down) passes a required check on GitHub, and must not also unblock the merge.
  if (config.review_event === "request_changes" && gate.conclusion === "success")
    await dismissChangeRequests({ gh, log }, { ref, headSha: job.headSha });
  const notes = [
    ...(gate.conclusion === "failure" ? [`Quality gate failed: ${gate.reasons.join("; ")}.`] : []),
    ...params.notes,
  ];
  let { inline, summaryOnly } = result;
  if (published.status === "inline-rejected") {
    notes.push("GitHub did not accept the inline comments, so they are listed here instead.");
    summaryOnly = [
      ...published.rejected.map((f) => ({ ...f, placement: "inline-rejected" as const })),
      ...summaryOnly,
    ];
    inline = [];
  }
  // The review's own writes, retried through GitHub's 5xx, can outlast a newer push: the newer
  // review owns the summary then, and this one's would put an older head back over it.
  if (await headMoved()) return;
  // A `/pause` given while the review ran wins over the state the review started from.
  const summary = await writeSummary(summaryStore(deps), {
    gh,
    ref,
    key: pullKey(job),
    known: params.summary,
    render: (current) =>
      redactor.redact(
        renderSummary({
          ...summaryOf(result),
          inline,
          summaryOnly,
          headSha: job.headSha,
          version: deps.version,
          notes,
          actedOn: params.actedOn,
          paused: deps.pauses?.get(pullKey(job)) ?? parseState(current?.body ?? "")?.paused,
        }),
      ),
  });
  const body = summary.body;
  await params.check.complete(
    gate.conclusion,
    renderCheckOutput({
      summaryBody: body,
      findings,
      rating: result.rating,
      gate,
      gateActive: params.gateActive,
    }),
  );
  log.info(
    {
      inline: inline.length,
      summaryOnly: summaryOnly.length,
      servedBy: result.servedBy,
      gate: gate.conclusion,
    },
    "review posted",
  );
}
