/**
 * The Action's inputs, as the runner passes them (`with: openai_api_key: …` arrives as
 * `INPUT_OPENAI_API_KEY`), and the variable Critic reads for each.
 * https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#inputs
 */
export const ACTION_INPUTS: Readonly<Record<string, string>> = {
  openai_api_key: "OPENAI_API_KEY",
  openai_model: "OPENAI_MODEL",
  openai_base_url: "OPENAI_BASE_URL",
  gemini_api_key: "GEMINI_API_KEY",
  gemini_model: "GEMINI_MODEL",
  gemini_base_url: "GEMINI_BASE_URL",
  providers: "CRITIC_PROVIDERS",
  config_path: "CRITIC_CONFIG_PATH",
};

// One event in one short-lived process: no Redis, and no App credentials (the token authenticates).
const NOT_IN_ACTIONS = ["REDIS_URL", "APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"];

/**
 * Critic's environment inside a GitHub Action: the process environment with each non-empty input
 * under Critic's own name (an input wins over a variable of that name set with `env:`), without
 * what only the App uses. Pure: it reads and returns plain objects.
 */
export function fromActionInputs(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [input, name] of Object.entries(ACTION_INPUTS)) {
    const value = env[`INPUT_${input.toUpperCase()}`]?.trim();
    if (value) out[name] = value;
  }
  for (const name of NOT_IN_ACTIONS) delete out[name];
  return out;
}

/** The token the Action runs with: the `github_token` input, or `GITHUB_TOKEN` in the step's env. */
export function actionToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.GITHUB_TOKEN || env.INPUT_GITHUB_TOKEN || env.INPUT_TOKEN || undefined;
}
