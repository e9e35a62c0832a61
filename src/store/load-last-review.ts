import type { Logger } from "pino";
import type { ReviewHistory, StoredReview } from "./review-history.js";

/**
 * The pull request's last `reviewed` review from the history, in one read; none without a
 * database, and none (with a warning) when it fails: the summary's markers are the fallback, so a
 * database that is down costs nothing but this line.
 */
export async function loadLastReview(
  history: ReviewHistory | undefined,
  ref: { owner: string; repo: string; pullNumber: number },
  log: Pick<Logger, "warn">,
): Promise<StoredReview | undefined> {
  if (!history) return undefined;
  try {
    return await history.lastReviewed({
      owner: ref.owner,
      repo: ref.repo,
      pullNumber: ref.pullNumber,
    });
  } catch (error) {
    log.warn({ err: error }, "could not read the last review from the history; using the summary");
    return undefined;
  }
}
