import type { Logger } from "pino";
import { classifyGitHubError } from "../github/github-error.js";
import type { GitHub } from "../github/octokit.js";
import type { IssueComment, PullRef } from "../github/pull-request.js";
import { writeSummary } from "../github/write-summary.js";
import { abortKindOf } from "../model/abort-reason.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { parseState } from "../render/markers.js";
import { renderCheckNote } from "../render/render-check-run.js";
import { renderFailed } from "../render/render-summary.js";
import { type CheckReport, startCheckReport } from "./report-check.js";
import { type ReviewDeps, type ReviewOutcome, summaryStore } from "./review-deps.js";

export const SUPERSEDED = renderCheckNote(
  "Superseded by a newer commit",
  "A newer commit was pushed while this one was being reviewed; its review replaces this one.",
);

const INTERRUPTED = renderCheckNote(
  "Review interrupted",
  "Critic stopped before the review finished (a restart); it runs again and reports in a new check run.",
);

/** What a review had opened on GitHub when it stopped. */
export type Opened = {
  gh?: GitHub | undefined;
  /** The summary as the review read it; "unknown" before it was read, and once it is written. */
  summary: IssueComment | undefined | "unknown";
  check?: CheckReport | undefined;
  gateActive: boolean;
};

/**
 * Ends a review that threw, so nothing is lost silently and no check is left in progress: a stop
 * (newer push, shutdown) posts nothing more; GitHub's hourly limit defers the review to its reset;
 * anything else is logged and shown in the summary and the check run.
 */
export async function handleFailure(
  deps: ReviewDeps,
  params: { job: ReviewJob; ref: PullRef; log: Logger; opened: Opened; signal: AbortSignal },
  error: unknown,
): Promise<ReviewOutcome> {
  const { job, ref, log, opened } = params;
  let { check } = opened;
  // A deferred review that failed before taking over its run still closes it.
  if (!check && job.checkRunId !== undefined) {
    const client = opened.gh ?? (await deps.auth(job.installationId).catch(() => undefined));
    if (client)
      check = await startCheckReport(
        { gh: client, log, redactor: deps.core.redactor },
        { ref, headSha: job.headSha, existingId: job.checkRunId },
      );
  }
  if (params.signal.aborted) {
    const kind = abortKindOf(params.signal.reason);
    log.info(
      kind === "superseded"
        ? "review superseded by a newer push; nothing posted"
        : "review stopped",
    );
    await check?.complete("cancelled", kind === "superseded" ? SUPERSEDED : INTERRUPTED);
    return kind === "superseded" ? "superseded" : "interrupted";
  }
  const failure = classifyGitHubError(error);
  if (failure.kind === "primary-limit" && failure.resetAt !== undefined && deps.defer) {
    const resetAt = failure.resetAt;
    const delayMs = Math.max(1_000, resetAt - deps.clock.now() + 1_000);
    log.warn(
      { resetAt: new Date(resetAt).toISOString() },
      "GitHub rate limit used up; review deferred",
    );
    // The deferred review completes this review's check run; nothing can be written until then.
    deps.defer(
      { ...job, rerun: true, ...(check?.id === undefined ? {} : { checkRunId: check.id }) },
      delayMs,
    );
    // Only a summary already read says so (no look-up while the limit is used up); a first
    // review has its check run, still in progress, to show it.
    if (opened.gh && opened.summary !== undefined && opened.summary !== "unknown") {
      const note = `GitHub's rate limit for this installation is used up until ${new Date(resetAt).toISOString().slice(11, 16)} UTC; the review will continue then`;
      await reportInSummary(deps, { gh: opened.gh, ref, job, known: opened.summary }, note).catch(
        () => {},
      );
    }
    return "deferred";
  }
  log.error({ err: error }, "review failed");
  // With the gate on, a review that could not finish must not pass it; without, it blocks nothing.
  await check?.complete(
    opened.gateActive ? "failure" : "neutral",
    renderCheckNote(
      "The review could not be completed",
      "GitHub or a provider failed in a way Critic could not recover from. Push a new commit or comment `/review` to try again.",
    ),
  );
  if (opened.gh) {
    await reportInSummary(
      deps,
      { gh: opened.gh, ref, job, known: opened.summary },
      "GitHub or a provider failed in a way Critic could not recover from",
    ).catch((e: unknown) => log.error({ err: e }, "could not report the failed review"));
  }
  return "failed";
}

/** Says in the summary (created if need be) why this head's review did not finish. */
function reportInSummary(
  deps: ReviewDeps,
  params: { gh: GitHub; ref: PullRef; job: ReviewJob; known: IssueComment | undefined | "unknown" },
  reason: string,
): Promise<IssueComment> {
  return writeSummary(summaryStore(deps), {
    gh: params.gh,
    ref: params.ref,
    key: pullKey(params.job),
    known: params.known,
    render: (current) =>
      renderFailed(params.job.headSha, deps.version, reason, parseState(current?.body ?? "")),
  });
}
