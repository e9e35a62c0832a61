import { run } from "probot";
import { loadDotEnv, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createCritic } from "../index.js";
import { createLogger } from "../logging/create-logger.js";
import { createRedactor } from "../security/redactor.js";

// Wiring only. With no APP_ID, Probot serves its setup page to register the app from app.yml.
loadDotEnv();
const env = readEnv();
const secrets = createRedactor(env.secrets);
const log = await createLogger(env.log, secrets);
const critic = createCritic(env, { secrets });
const server = await run(critic.app, { Octokit: CriticOctokit, log });

// Graceful shutdown: stop taking webhooks, let running reviews finish (bounded), put running
// assessments back in the queue for the next start, then exit.
const SHUTDOWN_GRACE_MS = 60_000;
process.once("SIGTERM", () => {
  const deadline = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
  void server
    .stop()
    .then(() => Promise.race([critic.idle(), deadline]))
    .then(() => Promise.race([critic.close(), deadline]))
    .finally(() => process.exit(0));
});
