import type { ApplicationFunction, Probot } from "probot";
import { type AppEnv, loadDotEnv, readEnv } from "./config/env.js";
import { type CoreOptions, createReviewCore } from "./deps.js";
import type { GitHub } from "./github/octokit.js";
import { createInProcessQueue, type JobQueue } from "./queue/in-process-queue.js";
import { type ReviewDeps, runReview } from "./review/run-review.js";
import { createHealthHandler, type Health } from "./server/health-handler.js";
import { VERSION } from "./version.js";
import { onPullRequest, PULL_REQUEST_EVENTS } from "./webhooks/on-pull-request.js";

export type CriticOptions = CoreOptions;

export type Critic = {
  app: ApplicationFunction;
  queue: JobQueue;
  /** What `GET /healthz` answers. */
  health(): Health;
};

/**
 * Wires Critic: the queue, the provider chain, the webhook handlers and /healthz. Everything is
 * built from `env` when Probot loads the app; nothing is read or connected at import time.
 */
export function createCritic(env: AppEnv, options: CriticOptions = {}): Critic {
  let deps: ReviewDeps | undefined;
  let probot: Probot | undefined;
  const queue = createInProcessQueue({
    concurrency: env.concurrency,
    run: async (job, signal) => {
      if (!deps) throw new Error("[critic] a job ran before the app was loaded");
      await runReview(deps, job, signal);
    },
    onError: (job, error) =>
      probot?.log.error({ err: error, delivery: job.deliveryId }, "review job crashed"),
  });

  const app: ApplicationFunction = (app, { addHandler }) => {
    probot = app;
    const core = createReviewCore(env, app.log, options);
    deps = {
      auth: async (installationId) => (await app.auth(installationId)) as GitHub,
      core,
      appId: env.appId,
      version: VERSION,
      log: app.log,
    };
    app.on([...PULL_REQUEST_EVENTS], onPullRequest(queue));
    addHandler(createHealthHandler(health));
  };
  const health = (): Health => ({
    status: "ok",
    version: VERSION,
    queue: queue.stats(),
    providers: deps?.core.chain.states() ?? {},
  });
  return { app, queue, health };
}

/** For `probot run`: reads the environment when Probot loads the app, not at import. */
const critic: ApplicationFunction = (app, options) => {
  loadDotEnv();
  return createCritic(readEnv()).app(app, options);
};
export default critic;
