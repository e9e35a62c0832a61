import type { AskRequest, AskResult, ProviderResult, ReviewRequest } from "../engine/model-port.js";

/**
 * A reviewer. LLM providers throw `ProviderError` on failure; the static provider never throws.
 * Each provider owns no retries of its own: the chain decides what happens after a failure. A
 * provider is handed sanitized requests only (see the engine's model port).
 */
export type Provider = {
  /** Stable id used in `CRITIC_PROVIDERS`, logs and /healthz. */
  id: string;
  /** Name shown to users in the summary, e.g. "OpenAI". */
  displayName: string;
  /** True for providers that call a language model (false for static checks). */
  usesModel: boolean;
  review(input: ReviewRequest, options: { signal: AbortSignal }): Promise<ProviderResult>;
  /** Answers a question in prose; only providers that call a model have it. */
  ask?(input: AskRequest, options: { signal: AbortSignal }): Promise<AskResult>;
};
