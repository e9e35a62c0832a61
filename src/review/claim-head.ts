import type { RepoConfig } from "../config/repo-config.schema.js";
import type { IssueComment } from "../github/pull-request.js";
import type { ReviewJob } from "../queue/review-job.js";
import { parseState, type SummaryState } from "../render/markers.js";
import type { StoredReview } from "../store/review-history.js";
import { type LastReview, lastReview } from "./last-review.js";

export type Claim =
  | { kind: "skip"; why: string }
  | {
      kind: "claimed";
      /** The summary comment as the review found it (absent on a first review). */
      summary: IssueComment | undefined;
      /** Its markers' state: whether reviews are paused (and the head they name). */
      previous: SummaryState | undefined;
      /** The last review: the history's record, or the markers when it has none. */
      last: LastReview | undefined;
    };

/**
 * Whether this head gets a review: reviews disabled, a draft, paused reviews or a head already
 * reviewed are skipped (an explicit `/review` overrides the last three). The last reviewed head
 * is the history's when it has this pull request's (`recorded`), else the summary marker's; the
 * pause is the marker's. Nothing is written to say a review started: the `Critic` check run,
 * opened next, shows it in progress.
 */
export function claimHead(
  job: ReviewJob,
  config: RepoConfig,
  summary: IssueComment | undefined,
  recorded?: Pick<StoredReview, "headSha" | "findings"> | undefined,
): Claim {
  const requested = job.trigger === "command";
  if (!config.enabled) return { kind: "skip", why: "reviews disabled by configuration" };
  if (job.draft && !config.review_drafts && !requested)
    return { kind: "skip", why: "draft pull request skipped" };
  const previous = summary ? parseState(summary.body) : undefined;
  if (previous?.paused && !requested) return { kind: "skip", why: "automatic reviews paused" };
  const last = lastReview(summary?.body, recorded);
  if (last?.sha === job.headSha && !requested)
    return { kind: "skip", why: "head already reviewed" };
  return { kind: "claimed", summary, previous, last };
}
