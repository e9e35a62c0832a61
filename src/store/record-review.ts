import type { Logger } from "pino";
import type { ReviewResult } from "../model/review-result.js";
import type { ReviewJob } from "../queue/review-job.js";
import type { FindingRecord, ReviewHistory, ReviewRecord } from "./review-history.js";

export type ReviewEnd = {
  job: ReviewJob;
  /** How the review ended (ReviewOutcome). */
  outcome: string;
  durationMs: number;
  /** What the engine produced, when the review got that far. */
  result?: ReviewResult | undefined;
};

/**
 * Records how a review ended, with what it found when the result is known. Never throws: a
 * database that is down costs the history line (and a warning), never the review.
 */
export async function recordReview(
  history: ReviewHistory | undefined,
  log: Logger,
  end: ReviewEnd,
): Promise<void> {
  if (!history) return;
  try {
    await history.record(reviewRecordOf(end));
  } catch (error) {
    log.warn(
      { err: error, pr: `${end.job.owner}/${end.job.repo}#${end.job.pullNumber}` },
      "could not record the review in the history",
    );
  }
}

/** The history's record of a review's end: pure. */
export function reviewRecordOf({ job, outcome, durationMs, result }: ReviewEnd): ReviewRecord {
  const record: ReviewRecord = {
    deliveryId: job.deliveryId,
    installationId: job.installationId,
    owner: job.owner,
    repo: job.repo,
    pullNumber: job.pullNumber,
    headSha: job.headSha,
    trigger: job.trigger,
    outcome,
    durationMs,
  };
  if (!result) return record;
  const costs = result.usage.map((u) => u.costUsd).filter((c): c is number => c !== undefined);
  const findings: FindingRecord[] = [
    ...result.inline.map((f) => findingOf(f, "inline")),
    // Findings carried from an earlier review were counted with that review; they are kept here
    // too (not counted again), so the newest review holds all its summary lists.
    ...result.summaryOnly.map((f) =>
      findingOf(
        f,
        f.placement !== "earlier" ? "summary" : wasInline(f) ? "earlier-inline" : "earlier",
      ),
    ),
  ];
  return {
    ...record,
    provider: result.servedBy,
    models: [...new Set(result.usage.map((u) => u.model))],
    inputTokens: result.usage.reduce((n, u) => n + u.inputTokens, 0),
    outputTokens: result.usage.reduce((n, u) => n + u.outputTokens, 0),
    costUsd: costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : undefined,
    rating: result.rating?.score,
    findings,
  };
}

function findingOf(
  f: Pick<FindingRecord, "path" | "line" | "severity" | "category" | "source" | "message">,
  placement: FindingRecord["placement"],
): FindingRecord {
  return {
    path: f.path,
    line: f.line,
    severity: f.severity,
    category: f.category,
    source: f.source,
    message: f.message,
    placement,
  };
}

/** A carried finding says whether it was posted inline when it was found. */
function wasInline(f: object): boolean {
  return "inline" in f && f.inline === true;
}
