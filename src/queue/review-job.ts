import { z } from "zod";

/** What a review needs to run later, in this process or another: ids and short texts, no clients. */
export const ReviewJob = z.object({
  deliveryId: z.string(),
  /** 0 in a GitHub Action: its events carry no installation, and the workflow's token is used. */
  installationId: z.number().int().nonnegative(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  pullNumber: z.number().int().positive(),
  headSha: z.string().regex(/^[0-9a-f]{7,64}$/i),
  /** The base branch's commit when queued: repository instructions are read from it. */
  baseSha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i)
    .optional(),
  title: z.string(),
  body: z.string(),
  draft: z.boolean(),
  /** The webhook action, or "command" for `/review`: commands run even when paused or a draft. */
  trigger: z.string(),
  /** Review the whole pull request even when an earlier review exists (`/review full`). */
  full: z.boolean().optional(),
  /** The command comment to react to when the review is done (🚀) or failed (😕). */
  ack: z.object({ commentId: z.number().int(), kind: z.enum(["issue", "review"]) }).optional(),
  /** The `Critic` check run a deferred review already opened: the deferred run completes it. */
  checkRunId: z.number().int().positive().optional(),
  /** It ran before (a worker died, handed it back, or it was deferred): its review may be posted. */
  rerun: z.boolean().optional(),
});
export type ReviewJob = z.infer<typeof ReviewJob>;

/** One key per pull request: its reviews run one at a time. */
export function pullKey(job: Pick<ReviewJob, "owner" | "repo" | "pullNumber">): string {
  return `${job.owner}/${job.repo}#${job.pullNumber}`;
}

/**
 * `next` takes over what `older` promised: a `/review` request (run even if paused or a draft, the
 * whole PR if `full`) and its comment to acknowledge. Otherwise a push would swallow the request.
 */
export function inheritRequest(next: ReviewJob, older: ReviewJob): ReviewJob {
  const requested = older.trigger === "command" && next.trigger !== "command";
  return {
    ...next,
    trigger: requested ? "command" : next.trigger,
    full: next.full === true || older.full === true ? true : next.full,
    ack: next.ack ?? older.ack,
  };
}
