import process from "node:process";
import { createProbot } from "probot";
import { loadDotEnv, readAppPrivateKey, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createLogger } from "../logging/create-logger.js";
import { foldRedisErrors, hostOf } from "../queue/redis/redis-health.js";
import { openRuntimeStore } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";
import { createWorker } from "../worker.js";

// Wiring only: `npm run worker` in Redis mode. Any number of these may run, on any machine.
loadDotEnv();
const env = readEnv();
if (!env.redis) {
  process.stderr.write(
    "critic worker: REDIS_URL is not set. A worker takes its jobs from the Redis the receivers queue them in: set REDIS_URL to it.\n",
  );
  process.exit(2);
}
const secrets = createRedactor(env.secrets);
const privateKey = readAppPrivateKey();
if (!privateKey.ok) {
  process.stderr.write(
    `critic worker: ${privateKey.missing ? "the App's private key is not set: set PRIVATE_KEY (or PRIVATE_KEY_PATH) as for the server" : privateKey.message}\n`,
  );
  process.exit(2);
}
// The App's key is the operator's secret too.
secrets.add(privateKey.key);
const log = await createLogger(env.log, secrets);
const probot = createProbot({
  overrides: {
    Octokit: CriticOctokit,
    log: foldRedisErrors(log, hostOf(env.redis.url)),
    privateKey: privateKey.key,
  },
});
// Probot sets up its Octokit asynchronously; the worker needs it.
await probot.ready();
// Review history in PostgreSQL (DATABASE_URL): several workers cannot share an embedded file.
const store = await openRuntimeStore(env, "worker", { log, secrets }).catch((error: unknown) => {
  process.stderr.write(`critic worker: ${(error as Error).message.replace(/^\[critic\] /, "")}\n`);
  process.exit(2);
});
const worker = createWorker(env, probot, { log, secrets, store });
log.info(
  { redis: hostOf(env.redis.url), concurrency: env.concurrency },
  "worker started, taking jobs from Redis",
);

// Running reviews are cancelled and handed back to the queue on SIGTERM, which takes a moment
// with Redis up; with Redis unreachable nothing can be handed back (BullMQ would wait for it), so
// the process ends at once, and within the bound whatever happens.
const SHUTDOWN_BOUND_MS = 8_000;
const UNREACHABLE_BOUND_MS = 500;
process.once("SIGTERM", () => {
  const unreachable = worker.redisUnreachable();
  log.info(unreachable ? { reason: unreachable } : {}, "worker stopping");
  const bound = new Promise((resolve) =>
    setTimeout(resolve, unreachable ? UNREACHABLE_BOUND_MS : SHUTDOWN_BOUND_MS).unref(),
  );
  void Promise.race([worker.close(), bound]).finally(() => process.exit(0));
});
