import { getPrivateKey } from "@probot/get-private-key";
import { createProbot, run } from "probot";
import { loadDotEnv, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createCritic } from "../index.js";
import { createLogger } from "../logging/create-logger.js";
import { createRedactor } from "../security/redactor.js";
import { startServer } from "../server/start-server.js";

// Wiring only: the server in the embedded default, or a Redis-mode receiver.
loadDotEnv();
const env = readEnv();
const secrets = createRedactor(env.secrets);
// The App's key as Probot finds it (PRIVATE_KEY_PATH, a *.pem file) is the operator's secret too.
secrets.add(readPrivateKey());
const log = await createLogger(env.log, secrets);

if (env.appId === 0 || !hasPrivateKey()) {
  // No App yet: Probot serves its registration page, which registers one from app.yml.
  await run(() => {}, { log });
} else {
  const probot = createProbot({
    overrides: {
      log,
      Octokit: CriticOctokit,
      secret: env.webhookSecret,
    },
  });
  const critic = createCritic(env, { probot, secrets });
  const secret = env.webhookSecret;
  const server = await startServer({ probot, app: critic.app, ...env.server, log, secret });

  // Graceful shutdown: stop taking webhooks, let running reviews finish (bounded), put running
  // assessments back in the queue for the next start, then exit.
  const SHUTDOWN_GRACE_MS = 60_000;
  process.once("SIGTERM", () => {
    const deadline = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    void Promise.race([server.stop(), deadline])
      .then(() => Promise.race([critic.idle(), deadline]))
      .then(() => Promise.race([critic.close(), deadline]))
      .finally(() => process.exit(0));
  });
}

/** The App's key, where Probot finds it (PRIVATE_KEY, PRIVATE_KEY_PATH or one *.pem in the folder). */
function readPrivateKey(): string | undefined {
  try {
    return getPrivateKey() ?? undefined;
  } catch {
    return undefined;
  }
}

function hasPrivateKey(): boolean {
  return readPrivateKey() !== undefined;
}
