import type { Logger } from "pino";
import { modelWithin } from "../budget/budgeted-model.js";
import {
  learnedGuidance,
  suppressorFor,
  withLearnedGuidance,
} from "../engine/learnings/apply-learnings.js";
import {
  MAX_UNDIFFED_BYTES,
  MAX_UNDIFFED_TOTAL_BYTES,
  reviewChanges,
} from "../engine/review-changes.js";
import { filterFiles } from "../engine/select/filter-files.js";
import { languageByName } from "../engine/static/languages.js";
import {
  fetchReviewSources,
  fetchUndiffedTexts,
  type ReviewSources,
} from "../github/fetch-sources.js";
import type { GitHub } from "../github/octokit.js";
import { getPullHead, listPullFiles, type PullRef } from "../github/pull-request.js";
import { react } from "../github/reactions.js";
import { type ReviewContext, readReviewContext } from "../github/review-context.js";
import {
  type CriticThread,
  resolveThread,
  settledFingerprints,
  threadsToResolve,
} from "../github/review-threads.js";
import { ACTED_ON_WINDOW_MS } from "../metrics/metrics.js";
import type { ReviewResult } from "../model/review-result.js";
import type { ChangedFile, Finding } from "../model/types.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { SUMMARY_MARKER } from "../render/markers.js";
import { renderCheckNote } from "../render/render-check-run.js";
import type { Redactor } from "../security/redactor.js";
import { findingFingerprint } from "../store/fingerprint.js";
import { loadLearnings } from "../store/learnings.js";
import { loadLastReview } from "../store/load-last-review.js";
import { recordReview } from "../store/record-review.js";
import type { ActedOn } from "../store/thread-outcomes.js";
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
  const started = performance.now();
  const seen: { result?: ReviewResult } = {};
  const outcome = await reviewOnce(deps, job, signal, seen);
  // The history line is written before the 🚀, from what the review produced (if it got so far).
  await recordReview(deps.history, deps.log, {
    job,
    outcome,
    durationMs: performance.now() - started,
    result: seen.result,
  });
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
 * 1. list the pull request's files, then read everything else it needs in one GraphQL request
 *    (configuration, Critic's summary, the repository's rules, head files);
 * 2. claim the head: skip it, or open the `Critic` check run, which shows the review in progress;
 * 3. choose the scope (whole, or since the last review);
 * 4. run the engine;
 * 5. check the head: a moved head (or a closed PR) means this review is stale, post nothing;
 * 6. publish the review, the summary and the check run's conclusion.
 * A first review of a pull request of up to 100 files makes six calls: two reads and four writes.
 * It never throws: a failure is logged and shown (see handleFailure). Whatever happens after the
 * check run opened, it is completed: no check is left in progress.
 */
async function reviewOnce(
  deps: ReviewDeps,
  job: ReviewJob,
  signal: AbortSignal,
  seen: { result?: ReviewResult },
): Promise<ReviewOutcome> {
  const log = deps.log.child({
    delivery: job.deliveryId,
    pr: `${job.owner}/${job.repo}#${job.pullNumber}`,
    sha: job.headSha,
  });
  const ref: PullRef = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
  const opened: Opened = { gateActive: false, summary: "unknown" };
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
    const prFiles = await listPullFiles(gh, ref);
    const repoKey = `${job.owner}/${job.repo}`;
    const knownInstructions = job.baseSha
      ? deps.instructionCache?.cachedInstructions(repoKey, job.baseSha)
      : undefined;
    const context = await readReviewContext(gh, {
      ref,
      headSha: job.headSha,
      own: { appId: deps.appId, botLogin: deps.botLogin },
      marker: SUMMARY_MARKER,
      paths: likelyParsed(prFiles, deps.core.limits.maxPatchBytes),
      maxBytes: MAX_SOURCE_BYTES,
      configPath: deps.core.configPath,
      instructions: {
        base: job.baseSha ?? "HEAD",
        changedPaths: prFiles.filter((f) => f.status !== "removed").map((f) => f.path),
        known: knownInstructions,
      },
    });
    if (context.instructions && context.instructions !== knownInstructions)
      deps.instructionCache?.remember(repoKey, context.instructions);
    const { config, errors } = context.config;
    opened.summary = context.summary;
    // 2. The last reviewed head and its findings: the history's record, else the summary's markers.
    const recorded = await loadLastReview(deps.history, job, log);
    const claim = claimHead(job, config, context.summary, recorded);
    if (claim.kind === "skip") {
      log.info(claim.why);
      await opened.check?.complete(
        "skipped",
        renderCheckNote(`Not reviewed: ${claim.why}`, "Nothing was posted."),
      );
      return "skipped";
    }
    opened.gateActive = config.gate.fail_on !== "never" || config.gate.min_rating > 0;
    signal.throwIfAborted();
    opened.check ??= await startCheckReport(checkDeps, { ref, headSha: job.headSha });
    const check = opened.check;
    // 3.
    const scope = await chooseScope(gh, ref, job, claim.last, prFiles);
    // 4. The repository's learnings (one read): guidance for the model, and a filter.
    const learned = await loadLearnings(deps.learnings, job, log);
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
        config: withLearnedGuidance(
          config,
          learnedGuidance(
            learned,
            scope.files.map((f) => f.path),
          ),
        ),
        suppress: suppressorFor(learned, deps.core.redactor),
        instructions: context.instructions,
        limits: deps.core.limits,
        signal,
        // Spend is counted as each answer arrives: a review stopped by a newer push still paid.
        onUsage: (usage) => {
          void deps.budget?.ledger
            .record(job.installationId, usage, deps.budget.now())
            .catch(() => undefined);
        },
        loadSources: (paths) => sourcesFor(gh, job, context, paths),
        loadUndiffed: (paths) =>
          fetchUndiffedTexts(gh, {
            owner: job.owner,
            repo: job.repo,
            headSha: job.headSha,
            paths,
            maxBytes: MAX_UNDIFFED_BYTES,
            maxTotalBytes: MAX_UNDIFFED_TOTAL_BYTES,
          }),
      },
    );
    seen.result = result;
    deps.metrics?.usage(result.usage);
    if (deps.budget) {
      const spent = await deps.budget.ledger.spent(job.installationId, deps.budget.now());
      deps.metrics?.spend(job.installationId, spent);
    }
    // 5.
    signal.throwIfAborted();
    const head = (await deps.pullHeads?.latest(pullKey(job))) ?? (await getPullHead(gh, ref));
    if (head.sha !== job.headSha) {
      log.info({ head: head.sha }, "head moved during the review; nothing posted");
      await check.complete("cancelled", SUPERSEDED);
      return "superseded";
    }
    if (!head.open) {
      log.info("pull request closed during the review; nothing posted");
      await check.complete(
        "skipped",
        renderCheckNote("Not reviewed: the pull request was closed", "Nothing was posted."),
      );
      return "skipped";
    }
    // 6.
    const threads = await settleThreads(deps, { gh, log, job, threads: context.threads });
    const settled = withoutSettled(result, context.threads, deps.core.redactor);
    // The history keeps what the summary lists: findings a person settled are not in it.
    seen.result = settled;
    // From here the summary is written, and a creation GitHub answered 5xx may have landed: a
    // failure looks the summary up again rather than creating a second one.
    opened.summary = "unknown";
    await publishResults(deps, {
      gh,
      log,
      ref,
      job,
      config,
      result: settled,
      prFiles,
      summary: claim.summary,
      check,
      notes: [
        ...errors.map((e) => `Invalid configuration, using the defaults: ${e}`),
        ...scope.notes,
        ...settled.notes,
        ...threads.notes,
      ],
      actedOn: threads.actedOn,
      gateActive: opened.gateActive,
      signal,
    });
    return "reviewed";
  } catch (error) {
    return handleFailure(deps, { job, ref, log, opened, signal }, error);
  }
}

/**
 * The files the static engine will likely parse, judged before the configuration is known by
 * the built-in filters: their head versions ride along with the review's one context query. A
 * repository whose `include` asks for more has those read when the engine needs them.
 */
function likelyParsed(files: readonly ChangedFile[], maxPatchBytes: number): string[] {
  return filterFiles(files, { include: [], exclude: [], maxPatchBytes })
    .filter((d) => d.reviewed && languageByName(d.file.path) !== undefined)
    .map((d) => d.file.path);
}

/** Head files for the engine: those read with the context, and the rest read now. */
async function sourcesFor(
  gh: GitHub,
  job: ReviewJob,
  context: ReviewContext,
  paths: readonly string[],
): Promise<ReviewSources> {
  const headTexts = new Map<string, string>();
  const missing: string[] = [];
  for (const path of paths) {
    const text = context.sources.headTexts.get(path);
    if (text !== undefined) headTexts.set(path, text);
    else if (!context.prefetched.has(path)) missing.push(path);
  }
  // Rules come with the context, unless its one query failed.
  const withRules = !context.rulesRead;
  if (missing.length === 0 && !withRules)
    return { headTexts, ruleSources: context.sources.ruleSources };
  const rest = await fetchReviewSources(gh, {
    owner: job.owner,
    repo: job.repo,
    headSha: job.headSha,
    paths: missing,
    maxBytes: MAX_SOURCE_BYTES,
    withRules,
  });
  for (const [path, text] of rest.headTexts) headTexts.set(path, text);
  return {
    headTexts,
    ruleSources: withRules ? rest.ruleSources : context.sources.ruleSources,
  };
}

const MAX_RESOLVED_PER_REVIEW = 10;

/**
 * Critic's threads as this review finds them: those whose code a push changed are resolved (a
 * paced write each), and what became of every one is noted for the acted-on share, which the
 * summary shows. A failure here costs the tidying, never the review.
 */
async function settleThreads(
  deps: ReviewDeps,
  params: { gh: GitHub; log: Logger; job: ReviewJob; threads: readonly CriticThread[] },
): Promise<{ notes: string[]; actedOn: ActedOn | undefined }> {
  const { gh, log, job } = params;
  const notes: string[] = [];
  const fixed = new Set<string>();
  let refused = false;
  // Each is a paced write: a push that outdates many comments costs a few per review, not a
  // minute of the installation's write budget; the rest are resolved by the next review.
  for (const thread of threadsToResolve(params.threads).slice(0, MAX_RESOLVED_PER_REVIEW)) {
    try {
      await resolveThread(gh, thread.id);
      fixed.add(thread.id);
    } catch (error) {
      refused = true;
      log.warn({ err: error, thread: thread.id }, "could not resolve a review thread");
      break;
    }
  }
  if (fixed.size > 0)
    notes.push(
      fixed.size === 1
        ? "Critic resolved 1 earlier comment of its own: the code under it changed."
        : `Critic resolved ${fixed.size} earlier comments of its own: the code under them changed.`,
    );
  if (refused)
    notes.push(
      "Critic could not resolve its comments whose code changed: GitHub lets an App resolve review threads only with the Contents: write permission.",
    );
  const repository = `${job.owner}/${job.repo}`;
  const outcomes = deps.threads;
  if (!outcomes) return { notes, actedOn: undefined };
  try {
    await outcomes.note(
      repository,
      job.pullNumber,
      params.threads.map((t) => (fixed.has(t.id) ? { ...t, resolvedBy: "critic" as const } : t)),
    );
    const actedOn = await outcomes.actedOn(repository, deps.clock.now() - ACTED_ON_WINDOW_MS);
    return { notes, actedOn };
  } catch (error) {
    log.warn({ err: error }, "could not note what became of Critic's comments");
    return { notes, actedOn: undefined };
  }
}

/**
 * The result without findings a person already settled on this pull request (resolved their
 * thread, or turned them down in a reply): they are not raised again.
 */
function withoutSettled(
  result: ReviewResult,
  threads: readonly CriticThread[],
  redactor: Pick<Redactor, "redact">,
): ReviewResult {
  const settled = settledFingerprints(threads);
  if (settled.size === 0) return result;
  const keep = (f: Finding) => !settled.has(findingFingerprint(f, (text) => redactor.redact(text)));
  const inline = result.inline.filter(keep);
  const summaryOnly = result.summaryOnly.filter(keep);
  const held =
    result.inline.length + result.summaryOnly.length - inline.length - summaryOnly.length;
  if (held === 0) return result;
  return {
    ...result,
    inline,
    summaryOnly,
    notes: [
      ...result.notes,
      `${held} ${held === 1 ? "finding was" : "findings were"} not raised again: a person resolved or turned down ${held === 1 ? "its thread" : "their threads"} earlier on this pull request.`,
    ],
  };
}
