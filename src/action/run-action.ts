import { readFile } from "node:fs/promises";
import { createProbot, type ProbotOctokit } from "probot";
import { readActionEnv, readActionRun } from "../config/env.js";
import { CriticOctokit } from "../github/octokit.js";
import { createCritic } from "../index.js";
import { createLogger, type LoggerOptions } from "../logging/create-logger.js";
import type { RuntimeOptions } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";

export type ActionOptions = Omit<RuntimeOptions, "log"> & {
  /** The Octokit class the workflow's token is used with; Critic's paced client by default. */
  Octokit?: typeof ProbotOctokit | undefined;
  /** Where log lines go (tests capture them); standard output by default. */
  logDestination?: LoggerOptions["destination"];
};

/**
 * Critic in a GitHub Action: the App's own app function, run on the workflow's one event with the
 * workflow's token, so the configuration, commands, authorization and exactly-once rules are the
 * App's, and so are its logger (with its redaction) and its GitHub client. The handler only
 * queues; this waits for the queued review or command to finish before the process may end.
 * Returns the step's exit code.
 */
export async function runAction(
  options: ActionOptions = {},
  processEnv?: NodeJS.ProcessEnv,
): Promise<number> {
  const env = readActionEnv(processEnv);
  const run = readActionRun(processEnv);
  const secrets = options.secrets ?? createRedactor(env.secrets);
  const log = await createLogger(
    { ...env.log, format: "pretty", destination: options.logDestination },
    secrets,
  );
  const token = run.token;
  const missing = [
    ...(run.runId ? [] : ["GITHUB_RUN_ID"]),
    ...(run.eventName ? [] : ["GITHUB_EVENT_NAME"]),
    ...(run.eventPath ? [] : ["GITHUB_EVENT_PATH"]),
  ];
  if (!token || missing.length > 0) {
    log.error(
      { missing: token ? missing : ["GITHUB_TOKEN", ...missing] },
      "[critic] not a GitHub Actions run: pass the workflow's token as `github_token` (or env GITHUB_TOKEN)",
    );
    return 1;
  }
  const probot = createProbot({
    overrides: { githubToken: token, log, Octokit: options.Octokit ?? CriticOctokit },
  });
  const critic = createCritic(env, { ...options, probot, log, secrets, action: true });
  try {
    await probot.load(critic.app);
    // The runner's own event file, of the event it names: trusted as GitHub's webhook bodies are.
    const event = {
      id: run.runId ?? "",
      name: run.eventName,
      payload: JSON.parse(await readFile(run.eventPath ?? "", "utf8")),
    } as Parameters<typeof probot.receive>[0];
    await probot
      .receive(event)
      .catch((error: unknown) => log.error({ err: error }, "the event could not be handled"));
    await critic.idle();
  } finally {
    await critic.close();
  }
  // A review that failed fails the step too, so a broken setup (a read-only token, say) is red
  // in the workflow instead of a green step beside a check that never completes.
  const counts = await critic.metrics.registry.getSingleMetric("critic_reviews_total")?.get();
  const failed = counts?.values.find((v) => v.labels.outcome === "failed")?.value ?? 0;
  return failed > 0 ? 1 : 0;
}
