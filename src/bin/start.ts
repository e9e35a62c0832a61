import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createProbot } from "probot";
import { parse as parseYaml } from "yaml";
import { loadDotEnv, readAppPrivateKey, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createApiWithoutApp, createCritic, redisQueues } from "../index.js";
import { createLogger } from "../logging/create-logger.js";
import { foldRedisErrors, hostOf } from "../queue/redis/redis-health.js";
import { openRuntimeStore } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";
import { WEBHOOK_PATH } from "../server/app-manifest.js";
import { startSetupServer } from "../server/setup-server.js";
import { startServer } from "../server/start-server.js";
import { createProxyChannel, startWebhookProxy } from "../server/webhook-proxy.js";

// app.yml sits beside dist/ and src/.
const APP_YML = new URL("../../app.yml", import.meta.url);

// Wiring only: the server in the embedded default, or a Redis-mode receiver.
loadDotEnv();
const env = readEnv();
const secrets = createRedactor(env.secrets);
const privateKey = readAppPrivateKey();
if (!privateKey.ok && !privateKey.missing) {
  process.stderr.write(`critic: ${privateKey.message}\n`);
  process.exit(2);
}
// The App's key, wherever it was found, is the operator's secret too.
if (privateKey.ok) secrets.add(privateKey.key);
const log = await createLogger(env.log, secrets);
if (env.appId !== 0 && !privateKey.ok) {
  // A registered App whose key went missing is a broken deployment, not a new one: serving the
  // registration page would let whoever reaches the server register an App in its place.
  process.stderr.write(
    "critic: APP_ID is set but the App's private key is not: set PRIVATE_KEY (or PRIVATE_KEY_PATH) to the App's key.\n",
  );
  process.exit(2);
}

if (!privateKey.ok) {
  // No App yet: a page that registers one from app.yml and writes its credentials to .env.
  const envPath = join(process.cwd(), ".env");
  // What needs no GitHub (single-file reviews, refactors, the docs, the console) is served too;
  // with API keys, operators sign in to the console, whose submissions are kept in the database.
  const store =
    env.api.keys.length > 0
      ? await openRuntimeStore(env, "server", { log, secrets }).catch((error: unknown) => {
          process.stderr.write(`critic: ${(error as Error).message.replace(/^\[critic\] /, "")}\n`);
          process.exit(2);
        })
      : undefined;
  const services = createApiWithoutApp(env, { log, secrets, store });
  await startSetupServer({
    handlers: services.handlers,
    ...env.server,
    log,
    appYml: parseYaml(await readFile(APP_YML, "utf8")) as Record<string, unknown>,
    github: env.github,
    proxyUrl: env.github.webhookProxyUrl,
    createChannel: createProxyChannel,
    envFile: {
      path: envPath,
      read: () => readFile(envPath, "utf8").catch(() => ""),
      // Written whole, readable by its owner only, then moved over the old file: a key never sits
      // in a file others can read, and a failed write leaves the old file as it was.
      write: async (text) => {
        const temporary = `${envPath}.${process.pid}.tmp`;
        await writeFile(temporary, text, { mode: 0o600 });
        await rename(temporary, envPath);
      },
    },
  });
} else {
  // Review history: opened (and migrated) before the server listens; a file another process owns
  // stops this one with the reason.
  const store = await openRuntimeStore(env, "server", { log, secrets }).catch((error: unknown) => {
    process.stderr.write(`critic: ${(error as Error).message.replace(/^\[critic\] /, "")}\n`);
    process.exit(2);
  });
  const probot = createProbot({
    overrides: {
      log: env.redis ? foldRedisErrors(log, hostOf(env.redis.url)) : log,
      Octokit: CriticOctokit,
      secret: env.webhookSecret,
      privateKey: privateKey.key,
    },
  });
  const critic = createCritic(env, { probot, secrets, store, openQueues: await redisQueues(env) });
  const secret = env.webhookSecret;
  const server = await startServer({ probot, app: critic.app, ...env.server, log, secret });
  const proxy = env.github.webhookProxyUrl
    ? await startWebhookProxy({
        source: env.github.webhookProxyUrl,
        target: `http://${loopbackFor(env.server.host)}:${server.port}${WEBHOOK_PATH}`,
        log,
      })
    : undefined;

  // Graceful shutdown: stop taking webhooks, let running reviews finish (bounded), put running
  // assessments back in the queue for the next start, then exit.
  const SHUTDOWN_GRACE_MS = 60_000;
  process.once("SIGTERM", () => {
    const deadline = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    void Promise.race([Promise.all([proxy?.stop(), server.stop()]), deadline])
      .then(() => Promise.race([critic.idle(), deadline]))
      .then(() => Promise.race([critic.close(), deadline]))
      .finally(() => process.exit(0));
  });
}

/** Where this machine reaches a server listening on `host` (every interface: loopback). */
function loopbackFor(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
