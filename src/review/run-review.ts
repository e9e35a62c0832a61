import { modelWithin } from "../budget/budgeted-model.js";
import { reviewChanges } from "../engine/review-changes.js";
import { fetchReviewSources } from "../github/fetch-sources.js";
import { loadRepoConfig } from "../github/load-repo-config.js";
import { getPullHead, listPullFiles, type PullRef, upsertComment } from "../github/pull-request.js";
import { react } from "../github/reactions.js";
import type { ReviewJob } from "../queue/review-job.js";
import { parseState } from "../render/markers.js";
import { renderCheckNote } from "../render/render-check-run.js";
import { renderFailed } from "../render/render-summary.js";
import { chooseScope } from "./choose-scope.js";
import { claimHead } from "./claim-head.js";
import { handleFailure, type Opened, SUPERSEDED } from "./handle-failure.js";
import { publishResults } from "./publish-results.js";
import { startCheckReport } from "./report-check.js";
import type { ReviewDeps, ReviewOutcome } from "./review-deps.js";

export type { ReviewDeps, ReviewOutcome };

// Larger files are parsed from their hunks: a syntax tree of a 1 MB file costs more than it finds.
const MAX_SOURCE_BYTES = 1_000_000;

/**
 * One review of one pull-request head, from the queue. A `/review` gets 🚀 when its review is
 * posted and 😕 when it could not be.
 */
export async function runReview(
  deps: ReviewDeps,
  job: ReviewJob,
  signal: AbortSignal,
): Promise<ReviewOutcome> {
  const outcome = await reviewOnce(deps, job, signal);
  if (job.ack && outcome !== "superseded" && outcome !== "interrupted") {
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

/**
 * 1. load `.github/critic.yml`;
 * 2. claim the head: skip it, or show "in progress" and open the `Critic` check run;
 * 3. fetch the pull request's files and choose the scope (whole, or since the last review);
 * 4. run the engine;
 * 5. re-read the head: a moved head (or a closed PR) means this review is stale, post nothing;
 * 6. publish the review, the summary and the check run's conclusion.
 * It never throws: a failure is logged and shown (see handleFailure). Whatever happens after the
 * check run opened, it is completed: no check is left in progress.
 */
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
  const opened: Opened = { gateActive: false };
  try {
    // Superseded before it started (a newer push arrived while it waited): no call at all.
    signal.throwIfAborted();
    const gh = await deps.auth(job.installationId);
    opened.gh = gh;
    const checkDeps = { gh, log, redactor: deps.core.redactor };
    // A deferred review completes the check run it opened before (no call to take it over).
    if (job.checkRunId !== undefined)
      opened.check = await startCheckReport(checkDeps, {
        ref,
        headSha: job.headSha,
        existingId: job.checkRunId,
      });
    // 1.
    const { config, errors } = await loadRepoConfig(gh, ref, deps.core.configPath);
    // 2.
    const claim = await claimHead(deps, { gh, ref, job, config, signal, log });
    if (claim.kind === "skip") {
      log.info(claim.why);
      await opened.check?.complete(
        "skipped",
        renderCheckNote(`Not reviewed: ${claim.why}`, "Nothing was posted."),
      );
      return "skipped";
    }
    opened.summary = claim.summary;
    opened.gateActive = config.gate.fail_on !== "never" || config.gate.min_rating > 0;
    opened.check ??= await startCheckReport(checkDeps, { ref, headSha: job.headSha });
    const check = opened.check;
    // 3.
    const prFiles = await listPullFiles(gh, ref);
    const scope = await chooseScope(gh, ref, job, claim.previousBody, prFiles);
    // 4.
    const model = deps.budget
      ? await modelWithin(deps.core.model, deps.budget, job.installationId)
      : deps.core.model;
    const result = await reviewChanges(
      { ...deps.core, model, log },
      {
        pr: { title: job.title, body: job.body },
        files: scope.files,
        anchorTo: scope.anchorTo,
        unchanged: scope.unchanged,
        prior: scope.prior,
        config,
        limits: deps.core.limits,
        signal,
        // Spend is counted as each answer arrives: a review stopped by a newer push still paid.
        onUsage: (usage) => {
          void deps.budget?.ledger
            .record(job.installationId, usage, deps.budget.now())
            .catch(() => undefined);
        },
        loadSources: (paths) =>
          fetchReviewSources(gh, {
            owner: job.owner,
            repo: job.repo,
            headSha: job.headSha,
            paths,
            maxBytes: MAX_SOURCE_BYTES,
          }),
      },
    );
    deps.metrics?.usage(result.usage);
    if (deps.budget) {
      const spent = await deps.budget.ledger.spent(job.installationId, deps.budget.now());
      deps.metrics?.spend(job.installationId, spent);
    }
    // 5.
    signal.throwIfAborted();
    const head = await getPullHead(gh, ref);
    if (head.sha !== job.headSha) {
      log.info({ head: head.sha }, "head moved during the review; nothing posted");
      await check.complete("cancelled", SUPERSEDED);
      return "superseded";
    }
    if (!head.open) {
      log.info("pull request closed during the review; nothing posted");
      const state = parseState(claim.summary.body);
      const closed = renderFailed(job.headSha, deps.version, "the pull request was closed", state);
      await upsertComment(gh, ref, claim.summary, closed);
      await check.complete(
        "skipped",
        renderCheckNote("Not reviewed: the pull request was closed", "Nothing was posted."),
      );
      return "skipped";
    }
    // 6.
    await publishResults(deps, {
      gh,
      log,
      ref,
      job,
      config,
      result,
      prFiles,
      summary: claim.summary,
      check,
      previous: claim.previous,
      notes: [
        ...errors.map((e) => `Invalid configuration, using the defaults: ${e}`),
        ...scope.notes,
        ...result.notes,
      ],
      gateActive: opened.gateActive,
      signal,
    });
    return "reviewed";
  } catch (error) {
    return handleFailure(deps, { job, ref, log, opened, signal }, error);
  }
}
