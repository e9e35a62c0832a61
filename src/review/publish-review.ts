import type { Logger } from "pino";
import { isGitHubError } from "../github/github-error.js";
import type { GitHub } from "../github/octokit.js";
import { postOnce } from "../github/post-once.js";
import {
  createReview,
  dismissChangeRequests as dismissReviews,
  hasReviewWithMarker,
  type PullRef,
  type ReviewComment,
  type ReviewEvent,
} from "../github/pull-request.js";
import type { AnchoredFinding } from "../model/review-result.js";
import { REVIEW_MARKER_PREFIX, renderReviewMarker } from "../render/markers.js";
import { renderComment } from "../render/render-comment.js";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";

export type PublishOutcome =
  /** Inline comments were posted. */
  | { status: "posted" }
  /** Nothing to post inline. */
  | { status: "none" }
  /**
   * GitHub refused the inline comments (422); they go to the summary. `posted` says whether the
   * review without them (which says so) was accepted; if that too was refused, the summary alone
   * carries the findings.
   */
  | { status: "inline-rejected"; rejected: AnchoredFinding[]; posted: boolean };

/**
 * Posts the one review of this head, pinned to the reviewed commit: `COMMENT`, or
 * `REQUEST_CHANGES` when the quality gate failed and the repository asks for it (never APPROVE).
 * A comment review with no inline comments is not posted (the summary says it all); a request
 * for changes is, with the gate's reasons. A 422 (a line GitHub would not take after all) never loses the review: it is posted
 * once more without inline comments, which then go to the summary. After a 5xx the POST may have
 * landed anyway, so Critic looks for its own review before posting again (at most twice more).
 */
export async function publishReview(
  deps: { gh: GitHub; log: Logger; redactor: Redactor; clock: Pick<Clock, "sleep"> },
  params: {
    ref: PullRef;
    headSha: string;
    inline: AnchoredFinding[];
    /** Look for this head's review first: a job may run twice (a worker died after posting). */
    verifyFirst?: boolean | undefined;
    /** Present when the review requests changes: why the quality gate failed. */
    requestChanges?: { reasons: readonly string[] } | undefined;
    /**
     * Aborted when a newer push supersedes this head. The POST may wait seconds for its turn in
     * the installation's write pacing; a push meanwhile must stop it (`npm run soak` caught a
     * review posted on a head that had moved while it waited).
     */
    signal?: AbortSignal | undefined;
  },
): Promise<PublishOutcome> {
  const { gh, log, redactor } = deps;
  const post = (review: Omit<ReviewToPost, "commitId">) =>
    postReviewOnce(deps, ref, { commitId: headSha, ...review }, marker, params.signal);
  const { ref, headSha, inline, requestChanges } = params;
  if (inline.length === 0 && !requestChanges) return { status: "none" };
  const event: ReviewEvent = requestChanges ? "REQUEST_CHANGES" : "COMMENT";
  const gateText = requestChanges
    ? `**Critic requests changes:** the quality gate failed (${requestChanges.reasons.join("; ")}).\n\n`
    : "";

  const marker = renderReviewMarker(headSha);
  const comments: ReviewComment[] = inline.map((f) => ({
    path: f.path,
    body: redactor.redact(renderComment(f, redactor)),
    line: f.line,
    side: "RIGHT",
    ...(f.startLine === undefined ? {} : { start_line: f.startLine, start_side: "RIGHT" as const }),
  }));
  const n = comments.length;
  const body = `${gateText}${n === 0 ? "The summary comment has the findings, the rating and the conclusion." : `Critic left ${n} inline ${n === 1 ? "comment" : "comments"} on this change. The summary comment has the full list, the rating and the conclusion.`}\n\n${marker}`;

  try {
    if (params.verifyFirst && (await hasReviewWithMarker(gh, ref, marker)))
      return { status: "posted" };
    await post({ body, comments, event });
    return { status: "posted" };
  } catch (error) {
    if (!isGitHubError(error, "validation")) throw error;
    log.warn(
      { status: 422, comments: n },
      "GitHub rejected the inline comments; posting the review without them",
    );
    const fallback = `${gateText}Critic could not place its ${n} inline ${n === 1 ? "comment" : "comments"} on the diff; ${n === 1 ? "it is" : "they are"} listed in the summary comment instead.\n\n${marker}`;
    try {
      await post({ body: fallback, comments: [], event });
    } catch (retryError) {
      if (!isGitHubError(retryError, "validation")) throw retryError;
      // A 422 that has nothing to do with lines (GitHub refuses REQUEST_CHANGES on the
      // reviewer's own pull request): the review still goes out, as a comment.
      if (event !== "COMMENT") {
        try {
          await post({ body: fallback, comments: [], event: "COMMENT" });
          return { status: "inline-rejected", rejected: inline, posted: true };
        } catch (commentError) {
          if (!isGitHubError(commentError, "validation")) throw commentError;
        }
      }
      log.warn(
        { status: 422 },
        "GitHub rejected the review without comments too; the summary carries the findings",
      );
      return { status: "inline-rejected", rejected: inline, posted: false };
    }
    return { status: "inline-rejected", rejected: inline, posted: true };
  }
}

// Waits before each new attempt after a 5xx. Two 502s in a row are not rare enough to lose a
// review over (`npm run soak`, GitHub failing 5 % of requests, lost one review in 200).
const RETRY_DELAYS_MS = [1_000, 2_000] as const;

type ReviewToPost = {
  commitId: string;
  body: string;
  comments: ReviewComment[];
  event: ReviewEvent;
};

/** One review on the head, even when GitHub answers 5xx to a POST it carried out. */
async function postReviewOnce(
  deps: { gh: GitHub; clock: Pick<Clock, "sleep"> },
  ref: PullRef,
  review: ReviewToPost,
  marker: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await postOnce({
    post: async () => {
      await createReview(deps.gh, ref, review, signal);
      return true;
    },
    findLanded: async () => ((await hasReviewWithMarker(deps.gh, ref, marker)) ? true : undefined),
    retryDelaysMs: RETRY_DELAYS_MS,
    sleep: (ms, s) => deps.clock.sleep(ms, s),
    signal,
  });
}

/**
 * With `review_event: request_changes`, a review whose gate passes dismisses Critic's earlier
 * change requests, which would otherwise go on blocking the merge. A failure is only logged.
 */
export async function dismissChangeRequests(
  deps: { gh: GitHub; log: Logger },
  params: { ref: PullRef; headSha: string },
): Promise<void> {
  try {
    const dismissed = await dismissReviews(
      deps.gh,
      params.ref,
      REVIEW_MARKER_PREFIX,
      `The quality gate passes on ${params.headSha.slice(0, 7)}.`,
    );
    if (dismissed > 0) deps.log.info({ dismissed }, "earlier change requests dismissed");
  } catch (error) {
    deps.log.warn({ err: error }, "could not dismiss earlier change requests");
  }
}
