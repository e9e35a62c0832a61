import type { GitHub } from "./octokit.js";

export type CommentRef = {
  owner: string;
  repo: string;
  commentId: number;
  kind: "issue" | "review";
};
export type Reaction = "eyes" | "rocket" | "confused";

/** Reacts to a PR comment (conversation) or a review comment (thread). Never throws: it is a courtesy. */
export async function react(gh: GitHub, ref: CommentRef, content: Reaction): Promise<void> {
  try {
    if (ref.kind === "issue") {
      await gh.rest.reactions.createForIssueComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: ref.commentId,
        content,
      });
    } else {
      await gh.rest.reactions.createForPullRequestReviewComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: ref.commentId,
        content,
      });
    }
  } catch {
    // A missing reaction loses nothing; the reply or the review says the rest.
  }
}
