import { createLlmProvider, type LlmProvider, lazyBackend } from "./llm-provider.js";

export type OpenAIProviderOptions = {
  apiKey: string;
  /** OpenAI-compatible root, e.g. https://api.groq.com/openai/v1; undefined means api.openai.com. */
  baseURL?: string | undefined;
  model: string;
  /** Backstop only: the chain aborts each attempt at its own timeout first. */
  timeoutMs: number;
  maxOutputTokens: number;
  fetch?: typeof globalThis.fetch | undefined;
  onJsonModeFallback?: () => void;
};

/**
 * OpenAI, or any server speaking its Chat Completions API, with structured output. The SDK's own
 * retries are off (`maxRetries: 0`): 6.x sleeps for any `retry-after`, uncapped, and the chain owns
 * retries. A server that rejects `json_schema` is asked again in JSON mode, and remembered. The SDK
 * is loaded on the first request: a run that never calls a model (the CLI on static checks, a
 * test) does not pay for it at start-up.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): LlmProvider {
  return createLlmProvider({
    id: "openai",
    displayName: "OpenAI",
    defaultModel: options.model,
    backend: lazyBackend(() => import("./openai-backend.js").then((m) => m.openAIBackend(options))),
    honoursRepoModel: true,
  });
}
