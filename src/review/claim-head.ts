import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.schema.js";
import type { GitHub } from "../github/octokit.js";
import {
  findOwnComment,
  type IssueComment,
  type PullRef,
  upsertComment,
} from "../github/pull-request.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import { parseState, SUMMARY_MARKER, type SummaryState } from "../render/markers.js";
import { renderInProgress } from "../render/render-summary.js";
import type { ReviewDeps } from "./review-deps.js";

export type Claim =
  | { kind: "skip"; why: string }
  | {
      kind: "claimed";
      /** The summary comment, now showing "in progress". */
      summary: IssueComment;
      /** Its body before this review: the last review's findings and state. */
      previousBody: string | undefined;
      previous: SummaryState | undefined;
    };

/**
 * Decides whether this head gets a review and, if so, says so on the pull request: reviews
 * disabled, a draft, paused reviews or a head already reviewed are skipped (an explicit `/review`
 * overrides the last three); otherwise the summary comment shows "in progress".
 */
export async function claimHead(
  deps: Pick<ReviewDeps, "appId" | "botLogin" | "version" | "summaryLock">,
  params: {
    gh: GitHub;
    ref: PullRef;
    job: ReviewJob;
    config: RepoConfig;
    signal: AbortSignal;
    log: Logger;
  },
): Promise<Claim> {
  const { gh, ref, job, config } = params;
  const requested = job.trigger === "command";
  if (!config.enabled) return { kind: "skip", why: "reviews disabled by configuration" };
  if (job.draft && !config.review_drafts && !requested)
    return { kind: "skip", why: "draft pull request skipped" };
  const lock = deps.summaryLock ?? ((_key, fn) => fn());
  return lock(pullKey(job), async (): Promise<Claim> => {
    const existing = await findOwnComment(gh, ref, SUMMARY_MARKER, deps);
    const previous = existing ? parseState(existing.body) : undefined;
    if (previous?.paused && !requested) return { kind: "skip", why: "automatic reviews paused" };
    if (previous?.sha === job.headSha && !requested)
      return { kind: "skip", why: "head already reviewed" };
    params.signal.throwIfAborted();
    const summary = await upsertComment(
      gh,
      ref,
      existing,
      renderInProgress(job.headSha, deps.version, existing?.body),
      () => findOwnComment(gh, ref, SUMMARY_MARKER, deps),
    );
    return { kind: "claimed", summary, previousBody: existing?.body, previous };
  });
}
