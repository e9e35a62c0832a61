import PQueue from "p-queue";
import type { ApplicationFunction, Probot } from "probot";
import { type CommandDeps, runCommand } from "./commands/run-command.js";
import { createSpendLimiter } from "./commands/spend-limiter.js";
import { type AppEnv, loadDotEnv, readEnv } from "./config/env.js";
import { type CoreOptions, createReviewCore } from "./deps.js";
import { createInstallationAuth } from "./github/installation-client.js";
import type { GitHub } from "./github/octokit.js";
import { createPermissionCache, createRedisPermissionCache } from "./github/permissions.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { createInProcessQueue, type JobQueue } from "./queue/in-process-queue.js";
import { createBullQueues } from "./queue/redis/bull-queues.js";
import { realClock } from "./resilience/clock.js";
import { type ReviewDeps, runReview } from "./review/run-review.js";
import { createHealthHandler, type Health } from "./server/health-handler.js";
import { createMetricsHandler } from "./server/metrics-handler.js";
import { VERSION } from "./version.js";
import { createDeliveryLog } from "./webhooks/delivery-log.js";
import { COMMENT_EVENTS, onComment } from "./webhooks/on-comment.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./webhooks/on-pull-request.js";

export type CriticOptions = CoreOptions & {
  /**
   * Runs inside a GitHub Action: one event in a short-lived process, authenticated with the
   * workflow's token (events carry no installation), no HTTP server, no Redis, no deferral, and
   * Critic's own comments are `github-actions[bot]`'s.
   */
  action?: boolean | undefined;
};

/** The bot a workflow's `GITHUB_TOKEN` writes as. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

export type Critic = {
  app: ApplicationFunction;
  queue: JobQueue;
  /** Resolves when no review and no command is waiting or running. */
  idle(): Promise<void>;
  /** Prometheus metrics, served at `/metrics`. */
  metrics: Metrics;
  /** What `GET /healthz` answers. */
  health(): Promise<Health>;
  /** Closes the Redis connections of Redis mode (nothing to close otherwise). */
  close(): Promise<void>;
};

/**
 * Wires Critic: the queue, the provider chain, the webhook handlers and /healthz. Everything is
 * built from `env` when Probot loads the app; nothing is read or connected at import time.
 */
export function createCritic(env: AppEnv, options: CriticOptions = {}): Critic {
  let deps: ReviewDeps | undefined;
  let probot: Probot | undefined;
  // Redis mode: this process only receives webhooks and queues jobs; workers run them.
  const action = options.action === true;
  const botLogin = action ? ACTIONS_BOT_LOGIN : undefined;
  const bull =
    env.redis && !action
      ? createBullQueues({
          redisUrl: env.redis.url,
          prefix: env.redis.prefix,
          debounceMs: env.redis.debounceMs,
        })
      : undefined;
  const local = createInProcessQueue({
    concurrency: env.concurrency,
    run: async (job, signal) => {
      if (!deps) throw new Error("[critic] a job ran before the app was loaded");
      const started = performance.now();
      const outcome = await runReview(deps, job, signal);
      metrics.review(outcome, (performance.now() - started) / 1000);
    },
    onError: (job, error) =>
      probot?.log.error({ err: error, delivery: job.deliveryId }, "review job crashed"),
  });

  const queue: JobQueue = bull?.reviews ?? local;
  const commands = new PQueue({ concurrency: env.concurrency });
  const metrics = createMetrics({
    queue: () => queue.stats(),
    breakers: () => deps?.core.chain.states() ?? {},
  });
  const limiter = createSpendLimiter({
    perHour: env.commandsPerHour,
    now: (options.clock ?? realClock).now,
  });
  const permissions =
    bull && env.redis
      ? createRedisPermissionCache(bull.connection, env.redis.prefix)
      : createPermissionCache();
  const deliveries = bull?.deliveries ?? createDeliveryLog();
  const pauses = new Map<string, boolean>();

  let slug: Promise<string | undefined> | undefined;
  const app: ApplicationFunction = (app, { addHandler }) => {
    probot = app;
    const core = createReviewCore(env, app.log, options);
    deps = {
      auth: createInstallationAuth(app, metrics),
      metrics,
      pauses,
      // An Action's process ends with its event: a review cannot wait for a rate-limit reset.
      defer: action
        ? undefined
        : (job, delayMs) => {
            setTimeout(() => queue.enqueue(job), delayMs).unref();
          },
      core,
      appId: env.appId,
      botLogin,
      version: VERSION,
      log: app.log,
    };
    app.on([...PULL_REQUEST_EVENTS], onPullRequest(queue, deliveries, { tokenAuth: action }));
    const commandDeps: CommandDeps = {
      pauses,
      auth: deps.auth,
      core,
      reviews: queue,
      appId: env.appId,
      botLogin,
      version: VERSION,
      log: app.log,
    };
    app.on(
      [...COMMENT_EVENTS],
      onComment({
        // A workflow's token is no App's: nobody mentions github-actions to ask Critic.
        appSlug: action
          ? undefined
          : () =>
              (slug ??= app
                .auth()
                .then((gh) => (gh as GitHub).rest.apps.getAuthenticated())
                .then((r) => r.data?.slug)
                .catch(() => undefined)),
        tokenAuth: action,
        configPath: env.configPath,
        deliveries,
        permissions,
        limiter,
        appId: env.appId,
        enqueue: async (job) => {
          if (bull) {
            await bull.enqueueCommand(job);
            return;
          }
          commands
            .add(() => runCommand(commandDeps, job, new AbortController().signal))
            .catch((error: unknown) =>
              app.log.error({ err: error, delivery: job.deliveryId }, "command job crashed"),
            );
        },
      }),
    );
    if (!action) {
      addHandler(createHealthHandler(health));
      addHandler(createMetricsHandler(metrics.registry));
    }
    app.onAny(async (context) => metrics.webhook(context.name));
  };
  const health = async (): Promise<Health> => ({
    status: "ok",
    version: VERSION,
    queue: await queue.stats(),
    providers: deps?.core.chain.states() ?? {},
  });
  const idle = async () => {
    // A command can queue a review, and a review is never queued by another review: two rounds settle it.
    for (let round = 0; round < 2; round++) {
      await commands.onIdle();
      await queue.onIdle();
    }
  };
  const close = async () => {
    await bull?.close();
  };
  return { app, queue, health, idle, metrics, close };
}

/** For `probot run`: reads the environment when Probot loads the app, not at import. */
const critic: ApplicationFunction = (app, options) => {
  loadDotEnv();
  return createCritic(readEnv()).app(app, options);
};
export default critic;
