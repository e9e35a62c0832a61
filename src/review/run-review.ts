import type { Logger } from "pino";
import type { ReviewCore } from "../deps.js";
import { carryFindings, type PriorFinding } from "../engine/anchor/carry-findings.js";
import { decideGate } from "../engine/merge/decide-gate.js";
import { reviewChanges } from "../engine/review-changes.js";
import { fetchReviewSources } from "../github/fetch-sources.js";
import { loadRepoConfig } from "../github/load-repo-config.js";
import type { GitHub } from "../github/octokit.js";
import {
  compareCommits,
  findOwnComment,
  getPullHead,
  type IssueComment,
  listPullFiles,
  type PullRef,
  upsertComment,
} from "../github/pull-request.js";
import { react } from "../github/reactions.js";
import type { Metrics } from "../metrics/metrics.js";
import type { ChangedFile } from "../model/types.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { parseFindings, parseState, SUMMARY_MARKER } from "../render/markers.js";
import { renderCheckNote, renderCheckOutput } from "../render/render-check-run.js";
import {
  renderFailed,
  renderInProgress,
  renderSummary,
  summaryOf,
} from "../render/render-summary.js";
import { dismissChangeRequests, publishReview } from "./publish-review.js";
import { type CheckReport, startCheckReport } from "./report-check.js";

export type ReviewDeps = {
  /** An installation-scoped client (per-installation throttling, fresh token). */
  auth(installationId: number): Promise<GitHub>;
  core: ReviewCore;
  appId: number;
  /** In a GitHub Action: the bot the workflow's token writes as, which finds its own summary. */
  botLogin?: string | undefined;
  version: string;
  log: Logger;
  /**
   * `/pause` and `/resume` given in this process, by pull request: they may land while a review
   * runs, and the review's final summary must not write the older state back.
   */
  pauses?: ReadonlyMap<string, boolean> | undefined;
  /** Jobs may run twice (Redis mode): check for this head's review before posting one. */
  verifyBeforePost?: boolean | undefined;
  /** Runs the job again after `delayMs` (GitHub's rate limit resets later): the worker is not held. */
  defer?: ((job: ReviewJob, delayMs: number) => void) | undefined;
  /** Where tokens and cost are counted, when metrics are on. */
  metrics?: Pick<Metrics, "usage"> | undefined;
};

// Larger files are parsed from their hunks: a syntax tree of a 1 MB file costs more than it finds.
const MAX_SOURCE_BYTES = 1_000_000;

export type ReviewOutcome = "reviewed" | "skipped" | "superseded" | "deferred" | "failed";

/**
 * One review of one PR head, from the queue:
 * 1. load `.github/critic.yml` and decide whether to review at all;
 * 2. find the summary comment; stop if this head was already reviewed; else show "in progress"
 *    and open the `Critic` check run;
 * 3. list the PR's files and review them (see `reviewChanges`);
 * 4. re-read the PR: a head that moved (or a closed PR) means this review is stale, post nothing;
 * 5. decide the quality gate and post one review with the inline comments;
 * 6. write the finished summary;
 * 7. complete the check run with the gate's conclusion and the findings as annotations.
 * It never throws: a failure is logged and shown in the summary, so no review is lost silently.
 * A job superseded by a newer push stops quietly: the newer job owns the summary. Whatever
 * happens after the check run opened, it is completed: no check is left in progress.
 */
export async function runReview(
  deps: ReviewDeps,
  job: ReviewJob,
  signal: AbortSignal,
): Promise<ReviewOutcome> {
  const outcome = await reviewOnce(deps, job, signal);
  if (job.ack && outcome !== "superseded") {
    // A `/review` gets 🚀 when its review is posted and 😕 when it could not be.
    const gh = await deps.auth(job.installationId).catch(() => undefined);
    if (gh)
      await react(
        gh,
        { owner: job.owner, repo: job.repo, ...job.ack },
        outcome === "reviewed" ? "rocket" : "confused",
      );
  }
  return outcome;
}

async function reviewOnce(
  deps: ReviewDeps,
  job: ReviewJob,
  signal: AbortSignal,
): Promise<ReviewOutcome> {
  const log = deps.log.child({
    delivery: job.deliveryId,
    pr: `${job.owner}/${job.repo}#${job.pullNumber}`,
    sha: job.headSha,
  });
  const ref: PullRef = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
  let gh: GitHub | undefined;
  let summary: IssueComment | undefined;
  let check: CheckReport | undefined;
  let gateActive = false;
  try {
    // Superseded before it started (a newer push arrived while it waited): no call at all.
    signal.throwIfAborted();
    const client = await deps.auth(job.installationId);
    gh = client;
    const checkDeps = { gh, log, redactor: deps.core.redactor };
    // A deferred review completes the check run it opened before (no call to take it over).
    if (job.checkRunId !== undefined)
      check = await startCheckReport(checkDeps, {
        ref,
        headSha: job.headSha,
        existingId: job.checkRunId,
      });
    // A skipped review opens no check run; a deferred one that is skipped now closes its own.
    const skip = async (why: string): Promise<ReviewOutcome> => {
      log.info(why);
      await check?.complete(
        "skipped",
        renderCheckNote(`Not reviewed: ${why}`, "Nothing was posted."),
      );
      return "skipped";
    };
    // 1.
    const { config, errors } = await loadRepoConfig(gh, ref, deps.core.configPath);
    if (!config.enabled) return await skip("reviews disabled by configuration");
    const requested = job.trigger === "command";
    if (job.draft && !config.review_drafts && !requested)
      return await skip("draft pull request skipped");
    // 2.
    const existing = await findOwnComment(gh, ref, SUMMARY_MARKER, deps);
    const previous = existing ? parseState(existing.body) : undefined;
    if (previous?.paused && !requested) return await skip("automatic reviews paused");
    if (previous?.sha === job.headSha && !requested) return await skip("head already reviewed");
    signal.throwIfAborted();
    gateActive = config.gate.fail_on !== "never" || config.gate.min_rating > 0;
    summary = await upsertComment(
      gh,
      ref,
      existing,
      renderInProgress(job.headSha, deps.version, existing?.body),
      () => findOwnComment(client, ref, SUMMARY_MARKER, deps),
    );
    check ??= await startCheckReport(checkDeps, { ref, headSha: job.headSha });
    // 3.
    const prFiles = await listPullFiles(gh, ref);
    const scope = await chooseScope(client, ref, job, existing?.body, prFiles);
    const result = await reviewChanges(
      { ...deps.core, log },
      {
        pr: { title: job.title, body: job.body },
        files: scope.files,
        anchorTo: scope.anchorTo,
        unchanged: scope.unchanged,
        prior: scope.prior,
        config,
        limits: deps.core.limits,
        signal,
        loadSources: (paths) =>
          fetchReviewSources(client, {
            owner: job.owner,
            repo: job.repo,
            headSha: job.headSha,
            paths,
            maxBytes: MAX_SOURCE_BYTES,
          }),
      },
    );
    deps.metrics?.usage(result.usage);
    // 4.
    signal.throwIfAborted();
    const head = await getPullHead(gh, ref);
    if (head.sha !== job.headSha) {
      log.info({ head: head.sha }, "head moved during the review; nothing posted");
      await check.complete("cancelled", SUPERSEDED);
      return "superseded";
    }
    if (!head.open) {
      log.info("pull request closed during the review; nothing posted");
      await upsertComment(
        gh,
        ref,
        summary,
        renderFailed(
          job.headSha,
          deps.version,
          "the pull request was closed",
          parseState(summary.body),
        ),
      );
      await check.complete(
        "skipped",
        renderCheckNote("Not reviewed: the pull request was closed", "Nothing was posted."),
      );
      return "skipped";
    }
    // 5.
    // Only findings on the pull request's own files count and are annotated: a path a model
    // invented can neither trip the gate nor make GitHub refuse the check run.
    const prPaths = new Set(prFiles.map((f) => f.path));
    const findings = [...result.inline, ...result.summaryOnly].filter(
      (f) => prPaths.has(f.path) && f.line >= 1,
    );
    const gate = decideGate({ gate: config.gate, findings, rating: result.rating, ai: result.ai });
    const requestChanges =
      config.review_event === "request_changes" && gate.conclusion === "failure";
    const published = await publishReview(
      { gh, log, redactor: deps.core.redactor },
      {
        ref,
        headSha: job.headSha,
        inline: result.inline,
        verifyFirst: deps.verifyBeforePost,
        requestChanges: requestChanges ? { reasons: gate.reasons } : undefined,
        signal,
      },
    );
    // Only a passing gate lifts Critic's earlier change requests: `neutral` (every AI provider
    // down) passes a required check on GitHub, and must not also unblock the merge.
    if (config.review_event === "request_changes" && gate.conclusion === "success")
      await dismissChangeRequests({ gh, log }, { ref, headSha: job.headSha });
    const notes = [
      ...(gate.conclusion === "failure"
        ? [`Quality gate failed: ${gate.reasons.join("; ")}.`]
        : []),
      ...errors.map((e) => `Invalid configuration, using the defaults: ${e}`),
      ...scope.notes,
      ...result.notes,
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
    // 6.
    const body = renderSummary({
      ...summaryOf(result),
      inline,
      summaryOnly,
      headSha: job.headSha,
      version: deps.version,
      notes,
      paused: deps.pauses?.get(pullKey(job)) ?? previous?.paused,
    });
    const posted = deps.core.redactor.redact(body);
    await upsertComment(gh, ref, summary, posted);
    // 7.
    await check.complete(
      gate.conclusion,
      renderCheckOutput({ summaryBody: posted, findings, rating: result.rating, gate, gateActive }),
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
    return "reviewed";
  } catch (error) {
    // A deferred review that failed before taking over its run still closes it.
    if (!check && job.checkRunId !== undefined) {
      const client = gh ?? (await deps.auth(job.installationId).catch(() => undefined));
      if (client)
        check = await startCheckReport(
          { gh: client, log, redactor: deps.core.redactor },
          { ref, headSha: job.headSha, existingId: job.checkRunId },
        );
    }
    if (signal.aborted) {
      const superseded = String((signal.reason as Error | undefined)?.message ?? "").includes(
        "superseded",
      );
      log.info(superseded ? "review superseded by a newer push; nothing posted" : "review stopped");
      await check?.complete(
        "cancelled",
        superseded
          ? SUPERSEDED
          : renderCheckNote(
              "Review interrupted",
              "Critic stopped before the review finished (a restart); it runs again and reports in a new check run.",
            ),
      );
      return "superseded";
    }
    const resetAt = rateLimitReset(error);
    if (resetAt !== undefined && deps.defer) {
      const delayMs = Math.max(1_000, resetAt - Date.now() + 1_000);
      log.warn(
        { resetAt: new Date(resetAt).toISOString() },
        "GitHub rate limit used up; review deferred",
      );
      // The deferred review completes this review's check run; nothing can be written until then.
      deps.defer(check?.id === undefined ? job : { ...job, checkRunId: check.id }, delayMs);
      if (gh && summary) {
        const note = `GitHub's rate limit for this installation is used up until ${new Date(resetAt).toISOString().slice(11, 16)} UTC; the review will continue then`;
        await upsertComment(
          gh,
          ref,
          summary,
          renderFailed(job.headSha, deps.version, note, parseState(summary.body)),
        ).catch(() => {});
      }
      return "deferred";
    }
    log.error({ err: error }, "review failed");
    // With the gate on, a review that could not finish must not pass it; without, it blocks nothing.
    await check?.complete(
      gateActive ? "failure" : "neutral",
      renderCheckNote(
        "The review could not be completed",
        "GitHub or a provider failed in a way Critic could not recover from. Push a new commit or comment `/review` to try again.",
      ),
    );
    if (gh && summary) {
      const previousState = parseState(summary.body);
      const failed = renderFailed(
        job.headSha,
        deps.version,
        "GitHub or a provider failed in a way Critic could not recover from",
        previousState,
      );
      await upsertComment(gh, ref, summary, failed).catch((e: unknown) =>
        log.error({ err: e }, "could not report the failed review"),
      );
    }
    return "failed";
  }
}

const SUPERSEDED = renderCheckNote(
  "Superseded by a newer commit",
  "A newer commit was pushed while this one was being reviewed; its review replaces this one.",
);

type Scope = {
  files: ChangedFile[];
  anchorTo?: ChangedFile[] | undefined;
  unchanged?: ChangedFile[] | undefined;
  prior?: { carried: PriorFinding[]; resolved: PriorFinding[] } | undefined;
  notes: string[];
};

/**
 * What this review covers. After an earlier review, only what changed since its commit (compare
 * `last...head`), with the earlier findings carried over; the whole pull request when there was
 * none, when asked (`/review full`), or when the earlier commit left the branch (force-push,
 * rebase), which the summary then says.
 */
async function chooseScope(
  gh: GitHub,
  ref: PullRef,
  job: ReviewJob,
  summary: string | undefined,
  prFiles: ChangedFile[],
): Promise<Scope> {
  const last = summary ? parseState(summary)?.sha : undefined;
  if (!last || last === job.headSha || job.full) return { files: prFiles, notes: [] };
  const compared = await compareCommits(gh, ref, last, job.headSha);
  const short = last.slice(0, 7);
  if (compared === "missing" || compared.status !== "ahead" || compared.files.length >= 300) {
    const why =
      compared === "missing" || compared.status !== "ahead"
        ? `the last reviewed commit \`${short}\` is no longer part of this branch (force-push or rebase)`
        : "too much changed since the last review";
    return { files: prFiles, notes: [`Reviewed the whole pull request again: ${why}.`] };
  }
  const inPr = new Map(prFiles.map((f) => [f.path, f]));
  const changed = new Set(compared.files.map((f) => f.path));
  // A merge of the base branch brings in files that are not part of this pull request's diff.
  const files = compared.files
    .filter((f) => inPr.has(f.path))
    // Reviewed: this push's patch; listed: the pull request's own status and counts.
    .map((f) => {
      const pr = inPr.get(f.path);
      return pr ? { ...f, status: pr.status, additions: pr.additions, deletions: pr.deletions } : f;
    });
  const prior = parseFindings(summary ?? "").map((f) => ({
    path: f.p,
    line: f.l,
    severity: f.s as PriorFinding["severity"],
    category: f.c as PriorFinding["category"],
    message: f.m,
    inline: f.i,
  }));
  const { carried, resolved } = carryFindings(prior, compared.files, new Set(inPr.keys()));
  return {
    files,
    anchorTo: prFiles.filter((f) => changed.has(f.path)),
    unchanged: prFiles.filter((f) => !changed.has(f.path)),
    prior: { carried, resolved },
    notes: [
      `Reviewed the changes since \`${short}\` (${files.length} ${files.length === 1 ? "file" : "files"}); findings of earlier reviews that still apply are listed too.`,
    ],
  };
}

/**
 * When `error` is GitHub's primary rate limit (403/429 with no requests remaining), the time it
 * resets, in ms. The throttling plugin only waits out short resets; longer ones arrive here.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
function rateLimitReset(error: unknown): number | undefined {
  const e = error as {
    status?: number;
    response?: { headers?: Record<string, string | undefined> };
  };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  if (headers["x-ratelimit-remaining"] !== "0") return undefined;
  const reset = Number(headers["x-ratelimit-reset"]);
  return Number.isFinite(reset) ? reset * 1000 : undefined;
}
