import type { Logger } from "pino";
import type { AppEnv, ProviderId } from "../config/env.js";
import { createGeminiProvider } from "./gemini.js";
import { createOpenAIProvider } from "./openai.js";
import type { Provider } from "./provider.js";
import { createStaticProvider } from "./static.js";

type Factory = (
  env: AppEnv,
  fetch: typeof globalThis.fetch | undefined,
  log: Pick<Logger, "info">,
) => Provider | string;

// A factory returns the provider, or the reason it cannot run (logged once at start-up).
const FACTORIES: Record<ProviderId, Factory> = {
  openai: (env, fetch, log) =>
    env.openai.apiKey
      ? createOpenAIProvider({
          apiKey: env.openai.apiKey,
          baseURL: env.openai.baseURL,
          model: env.openai.model,
          timeoutMs: env.llmTimeoutMs,
          maxOutputTokens: env.maxOutputTokens,
          fetch,
          onJsonModeFallback: () =>
            log.info({ provider: "openai" }, "server rejects json_schema; using JSON mode"),
        })
      : "no OPENAI_API_KEY set",
  gemini: (env) =>
    env.gemini.apiKey
      ? createGeminiProvider({
          apiKey: env.gemini.apiKey,
          baseURL: env.gemini.baseURL,
          model: env.gemini.model,
          timeoutMs: env.llmTimeoutMs,
          maxOutputTokens: env.maxOutputTokens,
        })
      : "no GEMINI_API_KEY set",
  static: () => createStaticProvider(),
};

/**
 * Builds the provider chain in `CRITIC_PROVIDERS` order. Providers that cannot run are skipped
 * with one log line each; the static provider is always last, so a review always comes back.
 */
export function createProviders(
  env: AppEnv,
  log: Pick<Logger, "info">,
  fetch?: typeof globalThis.fetch,
): Provider[] {
  const providers: Provider[] = [];
  for (const id of env.providers) {
    if (id === "static") continue;
    const made = FACTORIES[id](env, fetch, log);
    if (typeof made === "string") log.info({ provider: id, reason: made }, "provider skipped");
    else providers.push(made);
  }
  providers.push(createStaticProvider());
  log.info({ providers: providers.map((p) => p.id) }, "provider chain ready");
  return providers;
}
