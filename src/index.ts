import PQueue from "p-queue";
import type { ApplicationFunction, Probot } from "probot";
import { createApiHandler } from "./api/api-handler.js";
import { createApiKeys } from "./api/api-keys.js";
import { assessmentLimits, assessRepository } from "./assess/assess-repository.js";
import { type AssessmentRunner, createAssessmentRunner } from "./assess/assessment-runner.js";
import { createDiskStore, createRedisStore } from "./assess/assessment-store.js";
import { createRepositoryClients, findInstallation } from "./assess/open-repository.js";
import { openGitHubRepository } from "./assess/repo-source.js";
import { parseRepoUrl, webHostOf } from "./assess/repo-url.js";
import { reviewSingleFile } from "./assess/review-single-file.js";
import { type CommandDeps, runCommand } from "./commands/run-command.js";
import { createSpendLimiter } from "./commands/spend-limiter.js";
import { type AppEnv, loadDotEnv, readEnv } from "./config/env.js";
import { type CoreOptions, createReviewCore, type ReviewCore } from "./deps.js";
import { createInstallationAuth } from "./github/installation-client.js";
import type { GitHub } from "./github/octokit.js";
import { createPermissionCache, createRedisPermissionCache } from "./github/permissions.js";
import { createMetrics, type Metrics } from "./metrics/metrics.js";
import { createInProcessQueue, type JobQueue } from "./queue/in-process-queue.js";
import { type BullQueues, createBullQueues } from "./queue/redis/bull-queues.js";
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
  /** Assessments of whole repositories, when the HTTP API is on (`CRITIC_API_KEYS`). */
  assessments(): AssessmentRunner | undefined;
  /** Stops assessments (they resume at the next start) and closes Redis connections. */
  close(): Promise<void>;
};

/**
 * Wires Critic: the queue, the provider chain, the webhook handlers and /healthz. Everything is
 * built from `env` when Probot loads the app; nothing is read or connected at import time.
 */
export function createCritic(env: AppEnv, options: CriticOptions = {}): Critic {
  let deps: ReviewDeps | undefined;
  let probot: Probot | undefined;
  let assessments: AssessmentRunner | undefined;
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
    // The Action has no server: no API, /healthz or /metrics.
    if (action) {
      app.onAny(async (context) => metrics.webhook(context.name));
      return;
    }
    assessments = env.api.keys.length > 0 ? createAssessments(env, app, core, bull) : undefined;
    void assessments
      ?.resume()
      .catch((error: unknown) => app.log.error({ err: error }, "could not resume assessments"));
    addHandler(
      createApiHandler({
        keys: createApiKeys(env.api.keys),
        limiter: createSpendLimiter({
          limit: env.api.requestsPerMinute,
          windowMs: 60_000,
          now: (options.clock ?? realClock).now,
        }),
        assessments: assessments ?? API_OFF,
        reviewFile: (input) => reviewSingleFile({ ...core, log: app.log }, input),
        github: webHostOf(env.github.apiBaseUrl),
        version: VERSION,
        log: app.log,
      }),
    );
    addHandler(createHealthHandler(health));
    addHandler(createMetricsHandler(metrics.registry));
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
    await assessments?.close();
    await bull?.close();
  };
  return { app, queue, health, idle, metrics, close, assessments: () => assessments };
}

// Never called: the API refuses every request before it reaches the runner while it has no keys.
const API_OFF: AssessmentRunner = {
  submit: () => Promise.reject(new Error("[critic] the API is off")),
  get: async () => undefined,
  resume: async () => {},
  close: async () => {},
};

/** Assessments run in this process; their records live on disk, or in Redis in Redis mode. */
function createAssessments(
  env: AppEnv,
  app: Probot,
  core: ReviewCore,
  bull: BullQueues | undefined,
): AssessmentRunner {
  const auth = createInstallationAuth(app);
  const clientFor = createRepositoryClients(env, app.log, async (repo) => {
    const id = await findInstallation((await app.auth()) as GitHub, repo);
    return id === undefined ? undefined : auth(id);
  });
  const host = webHostOf(env.github.apiBaseUrl);
  return createAssessmentRunner({
    store:
      bull && env.redis
        ? createRedisStore(bull.connection, env.redis.prefix)
        : createDiskStore(env.api.dataDir),
    concurrency: 2,
    log: app.log,
    sweepMs: bull ? 60_000 : undefined,
    run: async (request, signal, onProgress) => {
      const url = parseRepoUrl(request.github_repo_url, host);
      if (!url.ok) throw new Error(`github_repo_url ${url.reason}`);
      const client = await clientFor(url.repo);
      const source = await openGitHubRepository(client.gh, url.repo, request.ref ?? url.ref, {
        publicOnly: client.publicOnly,
      });
      return assessRepository(
        { ...core, log: app.log },
        {
          source,
          assignment: request.assignment_description,
          level: request.candidate_level,
          limits: assessmentLimits(env),
          signal,
          onProgress,
        },
      );
    },
  });
}

/** For `probot run`: reads the environment when Probot loads the app, not at import. */
const critic: ApplicationFunction = (app, options) => {
  loadDotEnv();
  return createCritic(readEnv()).app(app, options);
};
export default critic;
