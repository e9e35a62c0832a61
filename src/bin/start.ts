import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createProbot } from "probot";
import { parse as parseYaml } from "yaml";
import { loadDotEnv, readAppPrivateKey, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createApiWithoutApp, createCritic } from "../index.js";
import { createLogger } from "../logging/create-logger.js";
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

if (env.appId === 0 || !privateKey.ok) {
  // No App yet: a page that registers one from app.yml and writes its credentials to .env.
  const envPath = join(process.cwd(), ".env");
  // With API keys, what needs no GitHub (single-file reviews, refactors, the docs) is served too.
  const api = env.api.keys.length > 0 ? createApiWithoutApp(env, { log, secrets }) : undefined;
  await startSetupServer({
    handlers: api ? [api.handler] : [],
    ...env.server,
    log,
    appYml: parseYaml(await readFile(APP_YML, "utf8")) as Record<string, unknown>,
    github: env.github,
    proxyUrl: env.github.webhookProxyUrl,
    createChannel: createProxyChannel,
    envFile: {
      read: () => readFile(envPath, "utf8").catch(() => ""),
      write: (text) => writeFile(envPath, text, { mode: 0o600 }),
    },
  });
} else {
  const probot = createProbot({
    overrides: {
      log,
      Octokit: CriticOctokit,
      secret: env.webhookSecret,
      privateKey: privateKey.key,
    },
  });
  const critic = createCritic(env, { probot, secrets });
  const secret = env.webhookSecret;
  const server = await startServer({ probot, app: critic.app, ...env.server, log, secret });
  const proxy = env.github.webhookProxyUrl
    ? await startWebhookProxy({
        source: env.github.webhookProxyUrl,
        target: `http://127.0.0.1:${server.port}${WEBHOOK_PATH}`,
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
