import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { kindForStatus, ProviderError } from "../errors.js";
import { buildPrompt } from "../review/prompt/build-prompt.js";
import { ModelAnswer } from "../review/prompt/model-answer.schema.js";
import { parseModelAnswer } from "../review/prompt/parse-model-answer.js";
import type { Provider, ProviderResult, ReviewInput } from "./provider.js";

export type OpenAIProviderOptions = {
  apiKey: string;
  /** OpenAI-compatible root, e.g. https://api.groq.com/openai/v1; undefined means api.openai.com. */
  baseURL?: string | undefined;
  model: string;
  /** Per-attempt limit. The SDK's default is ten minutes, far past a one-minute review. */
  timeoutMs: number;
  maxOutputTokens: number;
  fetch?: typeof globalThis.fetch | undefined;
};

const RESPONSE_FORMAT = zodResponseFormat(ModelAnswer, "critic_review");

/**
 * OpenAI (or any server speaking its Chat Completions API) with structured output. The SDK's own
 * retries are off (`maxRetries: 0`): it would sleep for any `retry-after`, uncapped, and the
 * provider chain owns retries and fallbacks.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    timeout: options.timeoutMs,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const id = "openai";

  return {
    id,
    displayName: "OpenAI",
    usesModel: true,
    async review(input: ReviewInput, { signal }): Promise<ProviderResult> {
      const model = input.config.model ?? options.model;
      const prompt = buildPrompt(input);
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model,
            messages: [
              { role: "system", content: prompt.system },
              { role: "user", content: prompt.user },
            ],
            response_format: RESPONSE_FORMAT,
            max_completion_tokens: options.maxOutputTokens,
          },
          { signal },
        );
      } catch (error) {
        throw toProviderError(id, error);
      }
      const choice = completion.choices[0];
      if (choice?.finish_reason === "length") {
        throw new ProviderError(
          id,
          "truncated",
          "the answer hit the output token limit and was cut off",
        );
      }
      const content = choice?.message.content;
      const parsed = content ? parseModelAnswer(content, id) : undefined;
      if (!parsed) {
        throw new ProviderError(id, "bad_output", "the answer held no usable review JSON");
      }
      return {
        ...parsed,
        model: completion.model || model,
        usage: completion.usage
          ? {
              inputTokens: completion.usage.prompt_tokens,
              outputTokens: completion.usage.completion_tokens,
            }
          : undefined,
      };
    },
  };
}

function toProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof APIUserAbortError)
    return new ProviderError(provider, "aborted", "request cancelled", { cause: error });
  if (error instanceof APIConnectionTimeoutError)
    return new ProviderError(provider, "timeout", "request timed out", { cause: error });
  if (error instanceof APIError) {
    const retryAfter = Number(error.headers?.get("retry-after"));
    return new ProviderError(
      provider,
      kindForStatus(error.status),
      `HTTP ${error.status ?? "error"}`,
      {
        status: error.status,
        retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
        cause: error,
      },
    );
  }
  return new ProviderError(provider, "connection", "request failed", { cause: error });
}
