import PQueue from "p-queue";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import { createApiHandler } from "./api/api-handler.js";
import { type ApiKeys, createApiKeys } from "./api/api-keys.js";
import { createAuthFailures } from "./api/auth-failures.js";
import { ApiError } from "./api/http-io.js";
import { assessmentLimits, assessRepository } from "./assess/assess-repository.js";
import { type AssessmentRunner, createAssessmentRunner } from "./assess/assessment-runner.js";
import { createDiskStore, createRedisStore } from "./assess/assessment-store.js";
import { createRepositoryClients, findInstallation } from "./assess/open-repository.js";
import { openGitHubRepository } from "./assess/repo-source.js";
import { parseRepoUrl, webHostOf } from "./assess/repo-url.js";
import { type FileReview, reviewSingleFile } from "./assess/review-single-file.js";
import { runCommand } from "./commands/run-command.js";
import { createSpendLimiter } from "./commands/spend-limiter.js";
import { type AppEnv, loadDotEnv, readEnv } from "./config/env.js";
import type { FileReviewer, SubmissionService } from "./console/console-submissions.js";
import { createConsole } from "./console/create-console.js";
import { createInstallationAuth } from "./github/installation-client.js";
import type { GitHub } from "./github/octokit.js";
import { createPermissionCache, createRedisPermissionCache } from "./github/permissions.js";
import { createJobDeps } from "./job-deps.js";
import { actedOnOf, createMetrics, type Metrics } from "./metrics/metrics.js";
import { createInProcessQueue, type JobQueue } from "./queue/in-process-queue.js";
import type { PullHeads } from "./queue/pull-heads.js";
import type { BullQueues } from "./queue/redis/bull-queues.js";
import { redisHealth } from "./queue/redis/redis-health.js";
import { runReview } from "./review/run-review.js";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime.js";
import type { Redactor } from "./security/redactor.js";
import { createHealthHandler, type Health } from "./server/health-handler.js";
import { createMetricsHandler } from "./server/metrics-handler.js";
import type { Store } from "./store/open-store.js";
import { VERSION } from "./version.js";
import { createDeliveryLog } from "./webhooks/delivery-log.js";
import { COMMENT_EVENTS, onComment } from "./webhooks/on-comment.js";
import {
  onPullRequest,
  onPullRequestClosed,
  PULL_REQUEST_EVENTS,
} from "./webhooks/on-pull-request.js";
import { onReviewThread } from "./webhooks/on-review-thread.js";
import { createRedisRefusals } from "./webhooks/refusal-log.js";

export type CriticOptions = Omit<RuntimeOptions, "log"> & {
  /** The Probot the app is loaded into; its `auth` mints installation clients. */
  probot: Probot;
  /** The process's logger; the Probot's own when absent. */
  log?: Logger | undefined;
  /**
   * Runs inside a GitHub Action: one event in a short-lived process, authenticated with the
   * workflow's token (events carry no installation), no HTTP server, no Redis, no deferral, and
   * Critic's own comments are `github-actions[bot]`'s.
   */
  action?: boolean | undefined;
  /** The web console's built assets (tests build their own); beside the console module when absent. */
  consoleAssets?: string | undefined;
};

/** The bot a workflow's `GITHUB_TOKEN` writes as. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

export type Critic = {
  app: ApplicationFunction;
  runtime: Runtime;
  queue: JobQueue;
  /** Each pull request's newest head as this process heard of it (in Redis mode, any receiver). */
  pullHeads: PullHeads;
  /** Resolves when no review and no command is waiting or running. */
  idle(): Promise<void>;
  /** Prometheus metrics, served at `/metrics`. */
  metrics: Metrics;
  /** What `GET /healthz` answers. */
  health(): Promise<Health>;
  /** Assessments of whole repositories, when the HTTP API or the console's GitHub sign-in is on. */
  assessments: AssessmentRunner | undefined;
  /** The web console's submissions (absent in an Action). */
  submissions: SubmissionService | undefined;
  /** Stops assessments (they resume at the next start) and closes Redis connections. */
  close(): Promise<void>;
};

/**
 * Wires Critic for the webhook server (or an Action): the queue, the review and command
 * dependencies, the webhook handlers, the HTTP API, /healthz and /metrics. Everything is built
 * here, from the runtime; the app function only registers what was built.
 */
export function createCritic(env: AppEnv, options: CriticOptions): Critic {
  const { probot } = options;
  const action = options.action === true;
  const runtime = createRuntime(env, action ? "action" : "server", {
    ...options,
    log: options.log ?? probot.log,
  });
  const { core, clock, log, queues: bull } = runtime;
  const botLogin = action ? ACTIONS_BOT_LOGIN : undefined;
  const commands = new PQueue({ concurrency: env.concurrency });
  // Single-file reviews have a budget of their own: uploads cannot take the reviews' slots.
  const uploads = new PQueue({ concurrency: Math.max(1, Math.ceil(env.concurrency / 2)) });
  const metrics = createMetrics({
    queue: () => queue.stats(),
    breakers: () => core.chain.states(),
    budget: env.dailyBudget,
    actedOn: actedOnOf(runtime.threads),
  });
  const jobs = createJobDeps(runtime, probot, {
    metrics,
    reviews: {
      enqueue: (job) => queue.enqueue(job),
      stats: () => queue.stats(),
      onIdle: () => queue.onIdle(),
    },
    botLogin,
    // An Action's process ends with its event: a review cannot wait for a rate-limit reset.
    defer: action
      ? undefined
      : (job, delayMs) => {
          setTimeout(() => queue.enqueue(job), delayMs).unref();
        },
  });
  const reviewDeps = jobs.review;
  const local = createInProcessQueue({
    concurrency: env.concurrency,
    perInstallation: env.installationConcurrency,
    run: async (job, signal) => {
      const started = performance.now();
      const outcome = await runReview(reviewDeps, job, signal);
      metrics.review(outcome, (performance.now() - started) / 1000);
    },
    onError: (job, error) =>
      log.error({ err: error, delivery: job.deliveryId }, "review job crashed"),
  });
  // Redis mode: this process only receives webhooks and queues jobs; workers run them.
  const queue: JobQueue = bull?.reviews ?? local;
  const commandDeps = jobs.command;
  const limiter = createSpendLimiter({ perHour: env.commandsPerHour, now: clock.now });
  const permissions =
    bull && env.redis
      ? createRedisPermissionCache(bull.connection, env.redis.prefix)
      : createPermissionCache();
  const deliveries = bull?.deliveries ?? createDeliveryLog();
  const { shared } = runtime;
  const refusals = shared ? createRedisRefusals(shared.connection, shared.prefix) : undefined;
  // Assessments are submitted through the API (with keys) or the console (with GitHub sign-in).
  const consoleSignIn =
    env.console.clientId !== undefined && env.console.clientSecret !== undefined;
  const assessments =
    !action && (env.api.keys.length > 0 || consoleSignIn)
      ? createAssessments(env, probot, runtime, bull)
      : undefined;
  const keys = createApiKeys(env.api.keys);
  const webConsole = action
    ? undefined
    : createConsole(env, runtime, {
        app: true,
        keys,
        assessments,
        reviewFile: consoleReviewer(runtime, uploads),
        queues: async () => ({
          reviews: await queue.stats(),
          uploads: { pending: uploads.size, running: uploads.pending },
          assessments: assessments?.stats?.() ?? { pending: 0, running: 0 },
        }),
        assetsDir: options.consoleAssets,
      });
  let slug: Promise<string | undefined> | undefined;
  const appSlug = () =>
    (slug ??= probot
      .auth()
      .then((gh) => (gh as GitHub).rest.apps.getAuthenticated())
      .then((r) => r.data?.slug)
      .catch(() => undefined));

  const app: ApplicationFunction = (app, { addHandler }) => {
    app.on(
      [...PULL_REQUEST_EVENTS],
      onPullRequest(queue, deliveries, { tokenAuth: action, heads: jobs.pullHeads }),
    );
    const outcomes = runtime.threads;
    app.on(
      "pull_request.closed",
      onPullRequestClosed(
        jobs.pullHeads,
        outcomes && !action ? { threads: outcomes, auth: jobs.review.auth } : undefined,
      ),
    );
    if (outcomes)
      app.on(
        ["pull_request_review_thread.resolved", "pull_request_review_thread.unresolved"],
        onReviewThread(outcomes),
      );
    app.on(
      [...COMMENT_EVENTS],
      onComment({
        // A workflow's token is no App's: nobody mentions github-actions to ask Critic.
        appSlug: action ? undefined : appSlug,
        tokenAuth: action,
        configPath: env.configPath,
        deliveries,
        permissions,
        limiter,
        refusals,
        appId: env.appId,
        enqueue: async (job) => {
          if (bull) {
            await bull.enqueueCommand(job);
            return;
          }
          commands
            .add(() => runCommand(commandDeps, job, new AbortController().signal))
            .catch((error: unknown) =>
              log.error({ err: error, delivery: job.deliveryId }, "command job crashed"),
            );
        },
      }),
    );
    app.onAny(async (context) => metrics.webhook(context.name));
    // The Action has no server: no API, /healthz or /metrics.
    if (action) return;
    void assessments
      ?.resume()
      .catch((error: unknown) => log.error({ err: error }, "could not resume assessments"));
    addHandler(apiHandler(env, runtime, assessments ?? API_OFF, uploads, keys));
    if (webConsole) addHandler(webConsole.handler);
    addHandler(createHealthHandler(health));
    addHandler(createMetricsHandler(metrics.registry));
  };
  const health = async (): Promise<Health> => {
    const reason = bull && env.redis ? redisHealth(bull.connection, env.redis.url) : undefined;
    return {
      status: reason ? "degraded" : "ok",
      ...(reason ? { reason } : {}),
      version: VERSION,
      // Queue counts come from Redis: without it, there are none to give.
      queue: reason ? { pending: 0, running: 0 } : await queue.stats(),
      providers: core.chain.states(),
    };
  };
  const idle = async () => {
    // A command can queue a review, and a review is never queued by another review: two rounds settle it.
    for (let round = 0; round < 2; round++) {
      await commands.onIdle();
      await queue.onIdle();
    }
    await webConsole?.submissions.idle();
  };
  const close = async () => {
    await assessments?.close();
    await runtime.close();
  };
  const pullHeads = jobs.pullHeads;
  const submissions = webConsole?.submissions;
  return { app, runtime, queue, pullHeads, health, idle, metrics, close, assessments, submissions };
}

// Uploads waiting for a slot; more are refused with 429 rather than held in memory.
const MAX_WAITING_UPLOADS = 16;

function uploadsBusy(): ApiError {
  return new ApiError(429, "busy", "too many files are waiting for review; try again shortly", {
    "retry-after": "5",
  });
}

/** Reviews one file in `uploads` (the API's and the console's budget); refused at once when full. */
function fileReviewer(runtime: Runtime, uploads: PQueue) {
  const { core, log } = runtime;
  return (
    input: Parameters<typeof reviewSingleFile>[1] & { onStart?: (() => void) | undefined },
  ): Promise<FileReview> => {
    if (uploads.size >= MAX_WAITING_UPLOADS) throw uploadsBusy();
    return uploads.add(() => {
      input.onStart?.();
      return reviewSingleFile({ ...core, model: core.backgroundModel, log }, input);
    });
  };
}

/** The console's file reviews: the same budget, and the lines that held a secret. */
function consoleReviewer(runtime: Runtime, uploads: PQueue): FileReviewer {
  const review = fileReviewer(runtime, uploads);
  return (input) => {
    let secretLines: number[] = [];
    return review({
      ...input,
      refactor: false,
      onSecretLines: (lines) => {
        secretLines = lines;
      },
    }).then((result) => ({ review: result, secretLines }));
  };
}

/** Critic's HTTP API, from the runtime: single-file reviews in `uploads`, assessments in theirs. */
function apiHandler(
  env: AppEnv,
  runtime: Runtime,
  assessments: AssessmentRunner,
  uploads: PQueue,
  keys: ApiKeys,
) {
  const { clock, log } = runtime;
  const reviewFile = fileReviewer(runtime, uploads);
  return createApiHandler({
    keys,
    limiter: createSpendLimiter({
      limit: env.api.requestsPerMinute,
      windowMs: 60_000,
      now: clock.now,
    }),
    authFailures: createAuthFailures({
      limit: env.api.authFailuresPerMinute,
      now: clock.now,
      // Redis mode: every receiver counts an address's failures together.
      redis: runtime.shared,
      name: "api",
    }),
    trustedProxies: env.api.trustedProxies,
    assessments,
    reviewFile,
    github: webHostOf(env.github.apiBaseUrl),
    version: VERSION,
    log,
  });
}

/**
 * The HTTP API of a server with no GitHub App registered: what needs no GitHub (single-file
 * reviews and refactors, the docs) works; assessments, which read repositories through the App,
 * answer 503 saying so. Served beside the registration page.
 */
export function createApiWithoutApp(
  env: AppEnv,
  options: {
    log: Logger;
    secrets?: Redactor | undefined;
    store?: Store | undefined;
    consoleAssets?: string | undefined;
  },
): { handlers: ReturnType<typeof createApiHandler>[]; close(): Promise<void> } {
  const runtime = createRuntime(env, "server", options);
  const uploads = new PQueue({ concurrency: Math.max(1, Math.ceil(env.concurrency / 2)) });
  const keys = createApiKeys(env.api.keys);
  // The console is served even without keys: its sign-in page says what to set.
  const webConsole = createConsole(env, runtime, {
    app: false,
    keys,
    assessments: undefined,
    reviewFile: consoleReviewer(runtime, uploads),
    queues: async () => ({
      reviews: { pending: 0, running: 0 },
      uploads: { pending: uploads.size, running: uploads.pending },
      assessments: { pending: 0, running: 0 },
    }),
    assetsDir: options.consoleAssets,
  });
  return {
    handlers: [apiHandler(env, runtime, NEEDS_APP, uploads, keys), webConsole.handler],
    close: () => runtime.close(),
  };
}

const NEEDS_APP: AssessmentRunner = {
  submit: () =>
    Promise.reject(
      new ApiError(
        503,
        "needs_app",
        "assessments read repositories through the GitHub App, and none is registered yet: open this server's home page to register one, then restart it",
      ),
    ),
  get: async () => undefined,
  resume: async () => {},
  close: async () => {},
};

// Never called: the API refuses every request before it reaches the runner while it has no keys.
const API_OFF: AssessmentRunner = {
  submit: () => Promise.reject(new Error("[critic] the API is off")),
  get: async () => undefined,
  resume: async () => {},
  close: async () => {},
};

/**
 * Assessments run in this process; their records live in Critic's database when it has one,
 * else on disk, or in Redis in Redis mode.
 */
function createAssessments(
  env: AppEnv,
  probot: Probot,
  runtime: Runtime,
  bull: BullQueues | undefined,
): AssessmentRunner {
  const { core, log } = runtime;
  const auth = createInstallationAuth(probot, undefined, runtime.secrets);
  const clientFor = createRepositoryClients(env, log, async (repo) => {
    const id = await findInstallation((await probot.auth()) as GitHub, repo);
    return id === undefined ? undefined : auth(id);
  });
  const host = webHostOf(env.github.apiBaseUrl);
  return createAssessmentRunner({
    store: runtime.store
      ? // Several receivers share a PostgreSQL in Redis mode: claims are kept in it.
        runtime.store.assessments({ shared: bull !== undefined })
      : bull && env.redis
        ? createRedisStore(bull.connection, env.redis.prefix, env.api.assessRetentionMs)
        : createDiskStore(env.api.dataDir),
    maxUnfinished: env.api.assessMaxQueued,
    retentionMs: env.api.assessRetentionMs,
    concurrency: 2,
    log,
    sweepMs: bull ? 60_000 : undefined,
    run: async (request, signal, onProgress) => {
      const url = parseRepoUrl(request.github_repo_url, host);
      if (!url.ok) throw new Error(`github_repo_url ${url.reason}`);
      const client = await clientFor(url.repo);
      const source = await openGitHubRepository(client.gh, url.repo, request.ref ?? url.ref, {
        publicOnly: client.publicOnly,
      });
      return assessRepository(
        { ...core, model: core.backgroundModel, log },
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
const critic: ApplicationFunction = async (app, options) => {
  loadDotEnv();
  const env = readEnv();
  const critic = createCritic(env, { probot: app, openQueues: await redisQueues(env) });
  return critic.app(app, options);
};
export default critic;

/**
 * Redis mode's queues, for an entry point to pass to createCritic when `REDIS_URL` is set: loaded
 * only then, so a server without Redis never holds its client and BullMQ (about 19 MB).
 */
export async function redisQueues(env: AppEnv): Promise<CriticOptions["openQueues"]> {
  return env.redis ? (await import("./queue/redis/bull-queues.js")).createBullQueues : undefined;
}
