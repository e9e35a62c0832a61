import type { Context } from "probot";
import { z } from "zod";
import type { ThreadOutcomes } from "../store/thread-outcomes.js";

const Payload = z.object({
  action: z.enum(["resolved", "unresolved"]),
  thread: z.object({ node_id: z.string().min(1).max(200) }),
  sender: z.object({ type: z.string() }).optional(),
});

/**
 * A person resolved (or reopened) a review thread: if it is one of Critic's comments already
 * seen, its outcome changes at once, without waiting for the next review. Nothing is called.
 */
export function onReviewThread(outcomes: ThreadOutcomes) {
  return async (
    context: Context<
      "pull_request_review_thread.resolved" | "pull_request_review_thread.unresolved"
    >,
  ): Promise<void> => {
    const parsed = Payload.safeParse(context.payload);
    // Critic's own resolutions (code that changed) are noted as fixed by the review that made them.
    if (!parsed.success || parsed.data.sender?.type === "Bot") return;
    await outcomes
      .setResolved(parsed.data.thread.node_id, parsed.data.action === "resolved")
      .catch((error: unknown) =>
        context.log.warn({ err: error }, "could not note a resolved review thread"),
      );
  };
}
