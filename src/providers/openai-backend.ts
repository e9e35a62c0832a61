import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { kindForStatus, ProviderError } from "../errors.js";
import { ModelAnswer } from "../prompt/model-answer.schema.js";
import type { ChatBackend } from "./llm-provider.js";
import type { OpenAIProviderOptions } from "./openai.js";

const STRUCTURED = zodResponseFormat(ModelAnswer, "critic_review");
const JSON_MODE = { type: "json_object" } as const;
/**
 * A server without structured output gets the schema in the system prompt instead, so the model
 * still learns every field and what it means (the prompt itself does not repeat them).
 */
const JSON_MODE_SCHEMA = `\nThe JSON object follows this JSON Schema:\n${JSON.stringify(STRUCTURED.json_schema.schema)}`;

/** The SDK-bound half of the OpenAI provider, loaded on its first request (see `openai.ts`). */
export function openAIBackend(options: OpenAIProviderOptions): ChatBackend {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    timeout: options.timeoutMs + 1_000,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let structured = true;

  return {
    async complete({ model, system, messages, format }, signal) {
      const request = (responseFormat: typeof STRUCTURED | typeof JSON_MODE) =>
        client.chat.completions.create(
          {
            model,
            messages: [
              {
                role: "system",
                content:
                  format === "review" && responseFormat === JSON_MODE
                    ? `${system}${JSON_MODE_SCHEMA}`
                    : system,
              },
              ...messages,
            ],
            ...(format === "review" ? { response_format: responseFormat } : {}),
            max_completion_tokens: options.maxOutputTokens,
          },
          { signal },
        );
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        try {
          completion = await request(structured ? STRUCTURED : JSON_MODE);
        } catch (error) {
          if (format !== "review" || !structured || !rejectsJsonSchema(error)) throw error;
          structured = false;
          options.onJsonModeFallback?.();
          completion = await request(JSON_MODE);
        }
      } catch (error) {
        throw toProviderError("openai", error);
      }
      const choice = completion.choices[0];
      return {
        text: choice?.message.content ?? "",
        truncated: choice?.finish_reason === "length",
        model: completion.model || model,
        usage: completion.usage
          ? {
              inputTokens: completion.usage.prompt_tokens,
              outputTokens: completion.usage.completion_tokens,
              // Prompt caching: a repeated prefix of at least 1,024 tokens is served from cache.
              // https://platform.openai.com/docs/guides/prompt-caching
              cachedInputTokens: completion.usage.prompt_tokens_details?.cached_tokens,
            }
          : undefined,
      };
    },
  };
}

/** A 400 that names the structured-output parameter: the server does not support `json_schema`. */
function rejectsJsonSchema(error: unknown): boolean {
  return (
    error instanceof APIError &&
    error.status === 400 &&
    /json_schema|response_format/i.test(error.message)
  );
}

function toProviderError(provider: string, error: unknown): ProviderError {
  if (error instanceof APIUserAbortError)
    return new ProviderError(provider, "aborted", "request cancelled", { cause: error });
  if (error instanceof APIConnectionTimeoutError)
    return new ProviderError(provider, "timeout", "request timed out", { cause: error });
  if (error instanceof APIError) {
    return new ProviderError(
      provider,
      kindForStatus(error.status),
      `HTTP ${error.status ?? "error"}`,
      {
        status: error.status,
        retryAfterSeconds: parseRetryAfter(error.headers),
        cause: error,
      },
    );
  }
  return new ProviderError(provider, "connection", "request failed", { cause: error });
}

/** `retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(
  headers: Headers | undefined,
  now = Date.now(),
): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
