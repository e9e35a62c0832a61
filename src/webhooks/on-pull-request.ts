import type { Context } from "probot";
import { z } from "zod";
import type { GitHub } from "../github/octokit.js";
import { readThreads } from "../github/review-threads.js";
import type { JobQueue } from "../queue/in-process-queue.js";
import type { PullHeads } from "../queue/pull-heads.js";
import { pullKey, type ReviewJob } from "../queue/review-job.js";
import type { ThreadOutcomes } from "../store/thread-outcomes.js";
import type { DeliveryLog } from "./delivery-log.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
] as const;

// Only what a review needs; anything else in the payload may change shape without harm.
const Payload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({
    name: z.string(),
    full_name: z.string().optional(),
    owner: z.object({ login: z.string() }),
  }),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    draft: z.boolean().optional(),
    title: z.string(),
    body: z.string().nullable().optional(),
    head: z.object({
      sha: z.string(),
      // null when the fork was deleted
      repo: z.object({ full_name: z.string() }).nullable().optional(),
    }),
    base: z.object({ sha: z.string() }).optional(),
  }),
});

/**
 * Validates the event and queues a review, then returns: GitHub wants an answer within ten
 * seconds and never redelivers a failed delivery, so no review work happens here.
 */
export function onPullRequest(
  queue: JobQueue,
  deliveries: DeliveryLog,
  options: {
    /** A GitHub Action: events carry no installation; the workflow's token authenticates. */
    tokenAuth?: boolean | undefined;
    /** Where each pull request's newest head is noted, for reviews to check before posting. */
    heads?: PullHeads | undefined;
  } = {},
) {
  return async (context: Context<(typeof PULL_REQUEST_EVENTS)[number]>): Promise<void> => {
    const parsed = Payload.safeParse(context.payload);
    if (!parsed.success || (!parsed.data.installation && !options.tokenAuth)) {
      context.log.warn(
        {
          issues: parsed.success
            ? ["installation"]
            : parsed.error.issues.map((i) => i.path.join(".")),
        },
        "malformed pull_request payload ignored",
      );
      return;
    }
    if (await deliveries.seen(context.id)) {
      context.log.info("delivery already handled");
      return;
    }
    const { installation, repository, pull_request: pr, action } = parsed.data;
    if (pr.state !== "open") return;
    const fromFork =
      pr.head.repo === null ||
      (pr.head.repo !== undefined && pr.head.repo.full_name !== repository.full_name);
    if (options.tokenAuth && fromFork) {
      // On `pull_request` from a fork, GitHub gives the workflow a read-only token and no secrets.
      context.log.warn(
        "pull request from a fork: this workflow's token is read-only and has no secrets, so Critic cannot post here; a maintainer can comment /review (issue_comment workflows run with the repository's token)",
      );
      return;
    }
    const job: ReviewJob = {
      deliveryId: context.id,
      installationId: installation?.id ?? 0,
      owner: repository.owner.login,
      repo: repository.name,
      pullNumber: pr.number,
      headSha: pr.head.sha,
      ...(pr.base && /^[0-9a-f]{7,64}$/i.test(pr.base.sha) ? { baseSha: pr.base.sha } : {}),
      title: pr.title,
      body: pr.body ?? "",
      draft: pr.draft === true,
      trigger: action,
    };
    await options.heads?.record(pullKey(job), { sha: job.headSha, open: true });
    const result = await queue.enqueue(job);
    context.log.info({ pr: pr.number, sha: pr.head.sha, result }, "review queued");
  };
}

const Closed = z.object({
  installation: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  pull_request: z.object({
    number: z.number().int().positive(),
    head: z.object({ sha: z.string() }),
  }),
});

/**
 * A closed pull request: a review of it still running posts nothing, and, with a database, what
 * became of Critic's comments on it is read one last time (one GraphQL query, after the answer).
 */
export function onPullRequestClosed(
  heads: PullHeads,
  outcomes?: {
    threads: ThreadOutcomes;
    auth: (installationId: number) => Promise<GitHub>;
  },
) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const parsed = Closed.safeParse(context.payload);
    if (!parsed.success) return;
    const { repository, pull_request: pr, installation } = parsed.data;
    const ref = { owner: repository.owner.login, repo: repository.name, pullNumber: pr.number };
    await heads.record(pullKey(ref), { sha: pr.head.sha, open: false });
    if (!outcomes || !installation) return;
    void outcomes
      .auth(installation.id)
      .then((gh) => readThreads(gh, ref))
      .then((threads) => outcomes.threads.note(`${ref.owner}/${ref.repo}`, ref.pullNumber, threads))
      .catch((error: unknown) =>
        context.log.warn({ err: error }, "could not read the outcomes of Critic's comments"),
      );
  };
}
