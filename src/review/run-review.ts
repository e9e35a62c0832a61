import type { Logger } from "pino";
import type { ReviewCore } from "../deps.js";
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
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { parseFindings, parseState, SUMMARY_MARKER } from "./render/markers.js";
import {
  renderFailed,
  renderInProgress,
  renderSummary,
  summaryOf,
} from "./render/render-summary.js";
import { reviewChanges } from "./review-changes.js";
import { carryFindings, type PriorFinding } from "./stages/carry-findings.js";
import { publishReview } from "./stages/publish-review.js";
import type { ChangedFile } from "./types.js";

export type ReviewDeps = {
  /** An installation-scoped client (per-installation throttling, fresh token). */
  auth(installationId: number): Promise<GitHub>;
  core: ReviewCore;
  appId: number;
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
 * 2. find the summary comment; stop if this head was already reviewed; else show "in progress";
 * 3. list the PR's files and review them (see `reviewChanges`);
 * 4. re-read the PR: a head that moved (or a closed PR) means this review is stale, post nothing;
 * 5. post one review with the inline comments;
 * 6. write the finished summary.
 * It never throws: a failure is logged and shown in the summary, so no review is lost silently.
 * A job superseded by a newer push stops quietly: the newer job owns the summary.
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
  try {
    // Superseded before it started (a newer push arrived while it waited): no call at all.
    signal.throwIfAborted();
    const client = await deps.auth(job.installationId);
    gh = client;
    // 1.
    const { config, errors } = await loadRepoConfig(gh, ref);
    if (!config.enabled) {
      log.info("reviews disabled by configuration");
      return "skipped";
    }
    const requested = job.trigger === "command";
    if (job.draft && !config.review_drafts && !requested) {
      log.info("draft pull request skipped");
      return "skipped";
    }
    // 2.
    const existing = await findOwnComment(gh, ref, SUMMARY_MARKER, deps.appId);
    const previous = existing ? parseState(existing.body) : undefined;
    if (previous?.paused && !requested) {
      log.info("automatic reviews paused");
      return "skipped";
    }
    if (previous?.sha === job.headSha && !requested) {
      log.info("head already reviewed");
      return "skipped";
    }
    signal.throwIfAborted();
    summary = await upsertComment(
      gh,
      ref,
      existing,
      renderInProgress(job.headSha, deps.version, existing?.body),
      () => findOwnComment(client, ref, SUMMARY_MARKER, deps.appId),
    );
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
      return "skipped";
    }
    // 5.
    const published = await publishReview(
      { gh, log, redactor: deps.core.redactor },
      {
        ref,
        headSha: job.headSha,
        inline: result.inline,
        verifyFirst: deps.verifyBeforePost,
        signal,
      },
    );
    const notes = [
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
    await upsertComment(gh, ref, summary, deps.core.redactor.redact(body));
    log.info(
      { inline: inline.length, summaryOnly: summaryOnly.length, servedBy: result.servedBy },
      "review posted",
    );
    return "reviewed";
  } catch (error) {
    if (signal.aborted) {
      log.info("review superseded by a newer push; nothing posted");
      return "superseded";
    }
    const resetAt = rateLimitReset(error);
    if (resetAt !== undefined && deps.defer) {
      const delayMs = Math.max(1_000, resetAt - Date.now() + 1_000);
      log.warn(
        { resetAt: new Date(resetAt).toISOString() },
        "GitHub rate limit used up; review deferred",
      );
      deps.defer(job, delayMs);
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
