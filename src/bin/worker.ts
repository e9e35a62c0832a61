import { createProbot } from "probot";
import { loadDotEnv, readEnv } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createWorker } from "../worker.js";

// Wiring only: `npm run worker` in Redis mode. Any number of these may run, on any machine.
loadDotEnv();
const probot = createProbot({ overrides: { Octokit: CriticOctokit } });
// Probot sets up its logger and Octokit asynchronously; the worker needs both.
await probot.ready();
const worker = createWorker(readEnv(), probot);
probot.log.info("worker started");
process.once("SIGTERM", () => {
  void worker.close().finally(() => process.exit(0));
});
