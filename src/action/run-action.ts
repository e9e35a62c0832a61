import { run } from "@probot/adapter-github-actions";
import { readActionEnv } from "../config/env.js";
import type { CoreOptions } from "../deps.js";
import { createCritic } from "../index.js";

/**
 * Critic in a GitHub Action: the App's own app function, run on the workflow's one event by
 * Probot's Actions adapter (which reads `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_RUN_ID`
 * and the token), so the configuration, commands, authorization and exactly-once rules are the
 * App's. The handler only queues; this waits for the queued review or command to finish before
 * the process may end.
 */
export async function runAction(options: CoreOptions = {}): Promise<number> {
  const critic = createCritic(readActionEnv(), { ...options, action: true });
  try {
    await run(critic.app);
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
