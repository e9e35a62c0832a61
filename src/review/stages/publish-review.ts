import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { GitHub } from "../../github/octokit.js";
import {
  createReview,
  hasReviewWithMarker,
  type PullRef,
  type ReviewComment,
} from "../../github/pull-request.js";
import type { Redactor } from "../../security/redactor.js";
import { renderReviewMarker } from "../render/markers.js";
import { renderComment } from "../render/render-comment.js";
import type { AnchoredFinding } from "./anchor-findings.js";

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
 * Posts the one review of this head: `event: COMMENT` (never APPROVE), pinned to the reviewed
 * commit. A 422 (a line GitHub would not take after all) never loses the review: it is posted
 * once more without inline comments, which then go to the summary. After a 5xx the POST may have
 * landed anyway, so Critic looks for its own review before posting again (at most twice more).
 */
export async function publishReview(
  deps: { gh: GitHub; log: Logger; redactor: Redactor },
  params: {
    ref: PullRef;
    headSha: string;
    inline: AnchoredFinding[];
    /** Look for this head's review first: a job may run twice (a worker died after posting). */
    verifyFirst?: boolean | undefined;
    /**
     * Aborted when a newer push supersedes this head. The POST may wait seconds for its turn in
     * the installation's write pacing; a push meanwhile must stop it (`npm run soak` caught a
     * review posted on a head that had moved while it waited).
     */
    signal?: AbortSignal | undefined;
  },
): Promise<PublishOutcome> {
  const { gh, log, redactor } = deps;
  const { ref, headSha, inline } = params;
  if (inline.length === 0) return { status: "none" };

  const marker = renderReviewMarker(headSha);
  const comments: ReviewComment[] = inline.map((f) => ({
    path: f.path,
    body: redactor.redact(renderComment(f)),
    line: f.line,
    side: "RIGHT",
    ...(f.startLine === undefined ? {} : { start_line: f.startLine, start_side: "RIGHT" as const }),
  }));
  const n = comments.length;
  const body = `Critic left ${n} inline ${n === 1 ? "comment" : "comments"} on this change. The summary comment has the full list, the rating and the conclusion.\n\n${marker}`;

  try {
    if (params.verifyFirst && (await hasReviewWithMarker(gh, ref, marker)))
      return { status: "posted" };
    await postOnce(gh, ref, { commitId: headSha, body, comments }, marker, params.signal);
    return { status: "posted" };
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    log.warn(
      { status: 422, comments: n },
      "GitHub rejected the inline comments; posting the review without them",
    );
    const fallback = `Critic could not place its ${n} inline ${n === 1 ? "comment" : "comments"} on the diff; ${n === 1 ? "it is" : "they are"} listed in the summary comment instead.\n\n${marker}`;
    try {
      await postOnce(
        gh,
        ref,
        { commitId: headSha, body: fallback, comments: [] },
        marker,
        params.signal,
      );
    } catch (retryError) {
      if (statusOf(retryError) !== 422) throw retryError;
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

async function postOnce(
  gh: GitHub,
  ref: PullRef,
  review: { commitId: string; body: string; comments: ReviewComment[] },
  marker: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await createReview(gh, ref, review, signal);
      return;
    } catch (error) {
      signal?.throwIfAborted();
      const status = statusOf(error);
      const delay = RETRY_DELAYS_MS[attempt];
      if (status === undefined || status < 500 || delay === undefined) throw error;
      await sleep(delay, undefined, signal ? { signal } : {});
      if (await hasReviewWithMarker(gh, ref, marker)) return;
    }
  }
}

function statusOf(error: unknown): number | undefined {
  if (
    typeof error === "object" &&
    error !== null &&
    "status" in error &&
    typeof error.status === "number"
  ) {
    return error.status;
  }
  return undefined;
}
