import { getPrivateKey } from "@probot/get-private-key";
import { createProbot } from "probot";
import { loadDotEnv, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createLogger } from "../logging/create-logger.js";
import { createRedactor } from "../security/redactor.js";
import { createWorker } from "../worker.js";

// Wiring only: `npm run worker` in Redis mode. Any number of these may run, on any machine.
loadDotEnv();
const env = readEnv();
const secrets = createRedactor(env.secrets);
// The App's key as Probot finds it (PRIVATE_KEY_PATH, a *.pem file) is the operator's secret too.
try {
  secrets.add(getPrivateKey() ?? undefined);
} catch {
  // No key: Probot says so when it starts.
}
const log = await createLogger(env.log, secrets);
const probot = createProbot({ overrides: { Octokit: CriticOctokit, log } });
// Probot sets up its Octokit asynchronously; the worker needs it.
await probot.ready();
const worker = createWorker(env, probot, { secrets });
probot.log.info("worker started");
process.once("SIGTERM", () => {
  void worker.close().finally(() => process.exit(0));
});
