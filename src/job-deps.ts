import type { Probot } from "probot";
import type { CommandDeps } from "./commands/run-command.js";
import { createInstallationAuth } from "./github/installation-client.js";
import { createInstructionCache } from "./github/instruction-cache.js";
import { createRedisSummaryIndex, createSummaryIndex } from "./github/summary-index.js";
import { createRedisSummaryLock, createSummaryLock } from "./github/summary-lock.js";
import type { Metrics } from "./metrics/metrics.js";
import type { JobQueue } from "./queue/in-process-queue.js";
import { createPullHeads, createRedisPullHeads, type PullHeads } from "./queue/pull-heads.js";
import type { ReviewJob } from "./queue/review-job.js";
import type { ReviewDeps } from "./review/review-deps.js";
import type { Runtime } from "./runtime.js";
import { VERSION } from "./version.js";

/**
 * What reviews and commands need, built the same way for the server and for a Redis-mode worker:
 * installation clients from `probot`, the summary lock (across processes when Redis is there),
 * the spend budget, and the mode's own choices in `options`.
 */
export function createJobDeps(
  runtime: Runtime,
  probot: Pick<Probot, "auth" | "log">,
  options: {
    metrics: Metrics;
    /** Where a `/review` queues its review. */
    reviews: JobQueue;
    botLogin?: string | undefined;
    verifyBeforePost?: boolean | undefined;
    defer?: ((job: ReviewJob, delayMs: number) => void) | undefined;
  },
): { review: ReviewDeps; command: CommandDeps; pullHeads: PullHeads } {
  const { env, core, clock, log, queues } = runtime;
  const auth = createInstallationAuth(probot, options.metrics, runtime.secrets);
  const summaryLock =
    queues && env.redis
      ? createRedisSummaryLock(queues.connection, env.redis.prefix, (ms) => clock.sleep(ms))
      : createSummaryLock();
  const redis =
    queues && env.redis ? { connection: queues.connection, prefix: env.redis.prefix } : undefined;
  const summaries = redis
    ? createRedisSummaryIndex(redis.connection, redis.prefix)
    : createSummaryIndex();
  const pullHeads = redis
    ? createRedisPullHeads(redis.connection, redis.prefix)
    : createPullHeads();
  // `/pause` and `/resume` given in this process, seen by the reviews running in it.
  const pauses = new Map<string, boolean>();
  const budget = { ledger: runtime.ledger, daily: env.dailyBudget, now: clock.now };
  const shared = {
    auth,
    core,
    summaryLock,
    summaries,
    pullHeads,
    budget,
    pauses,
    appId: env.appId,
    version: VERSION,
    log,
  };
  return {
    review: {
      ...shared,
      clock,
      metrics: options.metrics,
      history: runtime.history,
      instructionCache: createInstructionCache(),
      learnings: runtime.learnings,
      threads: runtime.threads,
      botLogin: options.botLogin,
      verifyBeforePost: options.verifyBeforePost,
      defer: options.defer,
    },
    command: {
      ...shared,
      clock,
      reviews: options.reviews,
      botLogin: options.botLogin,
      learnings: runtime.learnings,
      commands: runtime.commands,
    },
    pullHeads,
  };
}
