import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createMemoryLedger, createRedisLedger, type SpendLedger } from "./budget/spend-ledger.js";
import type { AppEnv } from "./config/env.js";
import { createReviewCore, type ReviewCore } from "./deps.js";
import {
  createMemoryWriteStore,
  createRedisWriteStore,
  createWritePacer,
  useWritePacer,
} from "./github/write-pacer.js";
import { createRedisCache } from "./providers/answer-cache.js";
import type { BullQueues, createBullQueues } from "./queue/redis/bull-queues.js";
import { type Clock, realClock } from "./resilience/clock.js";
import { createRedactor, type Redactor } from "./security/redactor.js";
import { scanSecrets } from "./security/scan-secrets.js";
import type { CommandHistory } from "./store/command-history.js";
import type { Learnings } from "./store/learnings.js";
import type { Store } from "./store/open-store.js";
import type { ReviewHistory } from "./store/review-history.js";
import type { ThreadOutcomes } from "./store/thread-outcomes.js";
import { createAnalysisPool } from "./workers/analysis-pool.js";

/** Where Critic runs: the webhook server, a Redis-mode worker, a GitHub Action, the CLI. */
export type RuntimeMode = "server" | "worker" | "action" | "cli";

export type RuntimeOptions = {
  /** The process's logger (with its redaction); Probot is handed the same one. */
  log: Logger;
  /** The process's secret registry, shared with its logger; one from `env.secrets` when absent. */
  secrets?: Redactor | undefined;
  clock?: Clock | undefined;
  /**
   * Opens Redis mode's queues. The server and the worker pass it when `REDIS_URL` is set (see
   * `redisQueues`); the CLI and the Action never use Redis and so never load its client.
   */
  openQueues?: typeof createBullQueues | undefined;
  /** The fetch the model SDKs use; tests and benchmarks point it at fakes. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Analyse in the main thread whatever the mode (tests that script every call in order). */
  inThread?: boolean | undefined;
  /** Critic's database, opened by the entry point (`openRuntimeStore`); the runtime closes it. */
  store?: Store | undefined;
};

/** What every mode is built from. Nothing else constructs these parts. */
export type Runtime = {
  env: AppEnv;
  mode: RuntimeMode;
  log: Logger;
  clock: Clock;
  secrets: Redactor;
  core: ReviewCore;
  /** Redis mode's queues and shared connection (server and worker only); absent in one process. */
  queues: BullQueues | undefined;
  /** Redis mode's connection and key prefix, for what every process counts together. */
  shared: { connection: Redis; prefix: string } | undefined;
  /** Model spend per installation and day (shared through Redis in Redis mode). */
  ledger: SpendLedger;
  /** Where reviews are remembered; absent without a database (CLI, Action, history off). */
  history: ReviewHistory | undefined;
  /** What people taught Critic; absent without a database, like `history`. */
  learnings?: Learnings | undefined;
  /** What became of Critic's inline comments; absent without a database. */
  threads: ThreadOutcomes | undefined;
  /** Every slash-command run; absent without a database. */
  commands?: CommandHistory | undefined;
  /** Critic's database, when it has one (assessment records live there too). */
  store?: Store | undefined;
  /** Closes what the runtime opened (Redis connections, the database). */
  close(): Promise<void>;
};

/**
 * The composition root: the one place the long-lived parts of a Critic process are built from the
 * environment, for every mode alike.
 */
export function createRuntime(env: AppEnv, mode: RuntimeMode, options: RuntimeOptions): Runtime {
  const secrets = options.secrets ?? createRedactor(env.secrets);
  const clock = options.clock ?? realClock;
  const redisMode = env.redis !== undefined && (mode === "server" || mode === "worker");
  // The entry point loads Redis mode's client only when it is used; running embedded instead of
  // on the queues REDIS_URL names would be a silent split, so a missing client stops start-up.
  if (redisMode && !options.openQueues)
    throw new Error("[critic] REDIS_URL is set, but Redis mode's queues were not loaded");
  const queues =
    env.redis && redisMode && options.openQueues
      ? options.openQueues({
          redisUrl: env.redis.url,
          prefix: env.redis.prefix,
          debounceMs: env.redis.debounceMs,
          log: options.log,
        })
      : undefined;
  // Workers share model answers through Redis; a receiver runs no reviews.
  const cache =
    mode === "worker" && queues && env.redis && env.cacheEntries > 0
      ? createRedisCache(queues.connection, env.redis.prefix, env.cacheEntries)
      : undefined;
  // The server and workers analyse in child processes; a one-shot CLI or Action run in its own
  // thread.
  const pool =
    (mode === "server" || mode === "worker") && env.analysis.threads > 0 && !options.inThread
      ? createAnalysisPool({
          processes: env.analysis.threads,
          timeoutMs: env.analysis.timeoutMs,
          maxMemoryMb: env.analysis.memoryMb,
          log: options.log,
        })
      : undefined;
  const core = createReviewCore(env, options.log, {
    cache,
    clock,
    secrets,
    fetch: options.fetch,
    analyzer: pool,
  });
  // Receivers and workers share each installation's write window through Redis, so together
  // they stay within GitHub's limits (one process keeps it in memory).
  useWritePacer(
    createWritePacer({
      store:
        queues && env.redis
          ? createRedisWriteStore(queues.connection, env.redis.prefix)
          : createMemoryWriteStore(),
      clock,
      limits: env.github.writeLimits,
    }),
  );
  // The secret scanner builds its rules on first use (some 50 ms of the main thread): at start-up,
  // a long-running process pays it before any webhook is waiting, not in its first review.
  if (mode === "server" || mode === "worker") void scanSecrets("warm-up").catch(() => undefined);
  const shared =
    queues && env.redis ? { connection: queues.connection, prefix: env.redis.prefix } : undefined;
  const ledger = shared
    ? createRedisLedger(shared.connection, shared.prefix)
    : createMemoryLedger();
  return {
    env,
    shared,
    mode,
    ledger,
    log: options.log,
    clock,
    secrets,
    core,
    queues,
    history: options.store?.history,
    learnings: options.store?.learnings,
    threads: options.store?.threads,
    commands: options.store?.commands,
    store: options.store,
    close: async () => {
      await pool?.close();
      await queues?.close();
      await options.store?.close();
    },
  };
}

/**
 * Opens Critic's database for a long-running mode, or says why there is none: the CLI and the
 * Action remember nothing between runs, `CRITIC_HISTORY_RETENTION_DAYS=0` keeps no history, and
 * Redis mode's several processes cannot share an embedded file (a warning; reviews go on without
 * history until `DATABASE_URL` is set). Throws when the database cannot be opened (the embedded
 * file is another process's, PostgreSQL is unreachable): the entry point stops with the message.
 */
export async function openRuntimeStore(
  env: AppEnv,
  mode: RuntimeMode,
  options: { log: Logger; secrets: Redactor; clock?: Clock | undefined },
): Promise<Store | undefined> {
  if (mode !== "server" && mode !== "worker") return undefined;
  if (env.store.retentionDays === 0) return undefined;
  if (env.redis && !env.store.databaseUrl) {
    options.log.warn(
      "Redis mode keeps no review history without DATABASE_URL: its processes cannot share an embedded database file. Set DATABASE_URL to a PostgreSQL database every receiver and worker reaches.",
    );
    return undefined;
  }
  // Loaded here: the CLI and the Action never load the database layer.
  const { openStore } = await import("./store/open-store.js");
  const store = await openStore(env.store, {
    log: options.log,
    redactor: options.secrets,
    clock: options.clock ?? realClock,
  });
  options.log.info(
    { database: store.dialect, where: store.where, migrations: store.applied },
    "review history opened",
  );
  return store;
}
