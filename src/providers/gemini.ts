import { createLlmProvider, type LlmProvider, lazyBackend } from "./llm-provider.js";

export type GeminiProviderOptions = {
  apiKey: string;
  /** Root URL of the Gemini API; requests go to `<root>/v1beta/models/<model>:generateContent`. */
  baseURL?: string | undefined;
  model: string;
  /** Backstop only: the chain aborts each attempt at its own timeout first. */
  timeoutMs: number;
  maxOutputTokens: number;
};

/**
 * Gemini through `@google/genai` 2.x, the maintained SDK that still runs on Node 20 (the older
 * `@google/generative-ai` reached end of life in August 2025). The API version is pinned to
 * `v1beta` (3.x switches its default to `v1`), and the SDK's retries stay off: the chain owns them.
 * A `MAX_TOKENS` finish is truncated JSON, reported as such. The SDK is loaded on the first
 * request.
 */
export function createGeminiProvider(options: GeminiProviderOptions): LlmProvider {
  return createLlmProvider({
    id: "gemini",
    displayName: "Gemini",
    defaultModel: options.model,
    backend: lazyBackend(() => import("./gemini-backend.js").then((m) => m.geminiBackend(options))),
    honoursRepoModel: false,
  });
}
