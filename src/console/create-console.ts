import { fileURLToPath } from "node:url";
import type { ApiKeys } from "../api/api-keys.js";
import { createAuthFailures } from "../api/auth-failures.js";
import type { AssessmentRunner } from "../assess/assessment-runner.js";
import { webHostOf } from "../assess/repo-url.js";
import { supportedLanguages } from "../assess/review-single-file.js";
import { createSpendLimiter } from "../commands/spend-limiter.js";
import type { AppEnv } from "../config/env.js";
import type { Runtime } from "../runtime.js";
import type { DashboardView } from "./console-api-types.js";
import { dashboardHistory, reviewRows } from "./console-data.js";
import { createConsoleHandler } from "./console-handler.js";
import {
  createSubmissionService,
  type FileReviewer,
  type SubmissionService,
} from "./console-submissions.js";
import { createSessionStore } from "./sessions.js";
import { createMemorySubmissions } from "./submission-store.js";

/** Where `npm run build` puts the page's script and stylesheet (beside this module in dist/). */
export const BUILT_ASSETS = fileURLToPath(new URL("./assets/", import.meta.url));

export type ConsoleOptions = {
  /** Whether a GitHub App is registered (GitHub sign-in and assignments need it). */
  app: boolean;
  keys: ApiKeys;
  assessments: AssessmentRunner | undefined;
  reviewFile: FileReviewer;
  queues(): Promise<DashboardView["queues"]>;
  /** The built page assets; `BUILT_ASSETS` when absent (tests build their own). */
  assetsDir?: string | undefined;
  /** What GitHub sign-in calls GitHub with (tests: a fake GitHub). */
  fetch?: typeof globalThis.fetch | undefined;
};

/** The web console, wired from the runtime: its handler for the server, and its submissions. */
export function createConsole(
  env: AppEnv,
  runtime: Runtime,
  options: ConsoleOptions,
): { handler: ReturnType<typeof createConsoleHandler>; submissions: SubmissionService } {
  const { clock, log, core } = runtime;
  const { clientId, clientSecret } = env.console;
  const submissions = createSubmissionService({
    store: runtime.store?.submissions ?? createMemorySubmissions(),
    reviewFile: options.reviewFile,
    assessments: options.assessments,
    now: clock.now,
    log,
  });
  const db = runtime.store?.db;
  const handler = createConsoleHandler({
    sessions: createSessionStore({ ttlMs: env.console.sessionMs, now: clock.now }),
    oauth:
      options.app && clientId && clientSecret
        ? {
            clientId,
            clientSecret,
            webUrl: env.github.webUrl,
            apiBaseUrl: env.github.apiBaseUrl,
            fetch: options.fetch ?? globalThis.fetch,
          }
        : undefined,
    app: options.app,
    keys: options.keys,
    operators: env.console.operators,
    limiter: createSpendLimiter({
      limit: env.api.requestsPerMinute,
      windowMs: 60_000,
      now: clock.now,
    }),
    authFailures: createAuthFailures({
      limit: env.api.authFailuresPerMinute,
      now: clock.now,
      redis: runtime.shared,
      name: "console",
    }),
    // Five times the page's own polling: room for several tabs, none for a flood.
    reads: createSpendLimiter({ limit: 300, windowMs: 60_000, now: clock.now }),
    trustedProxies: env.api.trustedProxies,
    submissions,
    history: db
      ? {
          reviews: (filter) => reviewRows(db, filter),
          dashboard: () => dashboardHistory(db, runtime.threads, clock.now()),
        }
      : undefined,
    status: async () => {
      const states = core.chain.states();
      return {
        queues: await options.queues(),
        providers: Object.entries(states).map(([id, state]) => ({ id, state })),
      };
    },
    languages: supportedLanguages,
    github: webHostOf(env.github.apiBaseUrl),
    assignments: options.assessments !== undefined,
    assetsDir: options.assetsDir ?? BUILT_ASSETS,
    sessionMs: env.console.sessionMs,
    now: clock.now,
    log,
  });
  return { handler, submissions };
}
