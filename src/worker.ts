import { createServer } from "node:http";
import type { Probot } from "probot";
import { runCommand } from "./commands/run-command.js";
import type { AppEnv } from "./config/env.js";
import { createJobDeps } from "./job-deps.js";
import { actedOnOf, createMetrics } from "./metrics/metrics.js";
import { createBullQueues } from "./queue/redis/bull-queues.js";
import { redisHealth } from "./queue/redis/redis-health.js";
import { startWorkers, type Workers } from "./queue/redis/start-workers.js";
import { runReview } from "./review/run-review.js";
import { createRuntime, type RuntimeOptions } from "./runtime.js";
import { createHealthHandler } from "./server/health-handler.js";
import { createMetricsHandler } from "./server/metrics-handler.js";
import { VERSION } from "./version.js";

/**
 * A worker of Redis mode: runs queued reviews and commands with installation tokens minted per
 * job (`probot.auth`). A job may run twice (a worker died after posting), so reviews look for
 * their own review on the head before posting one.
 */
export type Worker = Workers & {
  /** Where /metrics and /healthz are served, once listening (undefined when CRITIC_WORKER_PORT is 0). */
  port(): Promise<number | undefined>;
  /** Why Redis cannot be reached now ("cannot reach Redis at host:port"), or undefined. */
  redisUnreachable(): string | undefined;
};

export function createWorker(
  env: AppEnv,
  probot: Probot,
  options: Partial<RuntimeOptions> = {},
): Worker {
  if (!env.redis)
    throw new Error("[critic] a worker needs REDIS_URL: set it to the Redis the receivers use");
  const redis = env.redis;
  const runtime = createRuntime(env, "worker", {
    ...options,
    log: options.log ?? probot.log,
    openQueues: createBullQueues,
  });
  const { core, log } = runtime;
  const queues = runtime.queues;
  if (!queues) throw new Error("[critic] a worker runs in Redis mode only");
  const metrics = createMetrics({
    queue: () => queues.reviews.stats(),
    breakers: () => core.chain.states(),
    budget: env.dailyBudget,
    actedOn: actedOnOf(runtime.threads),
  });
  const jobs = createJobDeps(runtime, probot, {
    metrics,
    reviews: queues.reviews,
    verifyBeforePost: true,
    defer: (job, delayMs) => void queues.enqueueLater(job, delayMs),
  });
  const reviewDeps = jobs.review;
  const commandDeps = jobs.command;
  const workers = startWorkers({
    redisUrl: redis.url,
    prefix: redis.prefix,
    concurrency: env.concurrency,
    lockMs: redis.lockMs,
    reviewsPerMinute: redis.reviewsPerMinute,
    perInstallation: env.installationConcurrency,
    review: async (job, signal) => {
      const started = performance.now();
      const pr = `${job.owner}/${job.repo}#${job.pullNumber}`;
      log.info({ pr, sha: job.headSha, delivery: job.deliveryId }, "review started");
      const outcome = await runReview(reviewDeps, job, signal);
      const seconds = (performance.now() - started) / 1000;
      metrics.review(outcome, seconds);
      log.info(
        { pr, sha: job.headSha, outcome, seconds: Math.round(seconds * 10) / 10 },
        "review ended",
      );
      return outcome;
    },
    command: async (job, signal) => {
      const started = performance.now();
      const fields = {
        pr: `${job.owner}/${job.repo}#${job.pullNumber}`,
        command: job.command.name,
        delivery: job.deliveryId,
      };
      log.info(fields, "command started");
      let outcome = "failed";
      try {
        await runCommand(commandDeps, job, signal);
        outcome = signal.aborted ? "interrupted" : "answered";
      } finally {
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        log.info({ ...fields, outcome, seconds }, "command ended");
      }
    },
    log,
  });
  const health = createHealthHandler(async () => {
    const reason = redisHealth(queues.connection, redis.url);
    return {
      status: reason ? "degraded" : "ok",
      ...(reason ? { reason } : {}),
      version: VERSION,
      queue: reason ? { pending: 0, running: 0 } : await queues.reviews.stats(),
      providers: core.chain.states(),
    };
  });
  const metricsHandler = createMetricsHandler(metrics.registry);
  const server =
    redis.workerPort > 0
      ? createServer((req, res) => {
          void (async () => {
            if (!(await metricsHandler(req, res)) && !(await health(req, res)))
              res.writeHead(404).end();
          })();
        })
      : undefined;
  const listening = server
    ? new Promise<number>((resolve) =>
        server.listen(redis.workerPort, () => resolve((server.address() as { port: number }).port)),
      )
    : Promise.resolve(undefined);
  return {
    port: () => listening,
    redisUnreachable: () => redisHealth(queues.connection, redis.url),
    async close() {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      await workers.close();
      await runtime.close();
    },
  };
}
