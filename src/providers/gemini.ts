import { ApiError, GoogleGenAI } from "@google/genai";
import { z } from "zod";
import { kindForStatus, ProviderError } from "../errors.js";
import { ModelAnswer } from "../prompt/model-answer.schema.js";
import { type ChatBackend, createLlmProvider, type LlmProvider } from "./llm-provider.js";

export type GeminiProviderOptions = {
  apiKey: string;
  /** Root URL of the Gemini API; requests go to `<root>/v1beta/models/<model>:generateContent`. */
  baseURL?: string | undefined;
  model: string;
  /** Backstop only: the chain aborts each attempt at its own timeout first. */
  timeoutMs: number;
  maxOutputTokens: number;
};

const { $schema: _ignored, ...RESPONSE_SCHEMA } = z.toJSONSchema(ModelAnswer) as Record<
  string,
  unknown
>;

/**
 * Gemini through `@google/genai` 2.x, the maintained SDK that still runs on Node 20 (the older
 * `@google/generative-ai` reached end of life in August 2025). The API version is pinned to
 * `v1beta` (3.x switches its default to `v1`), and the SDK's retries stay off: the chain owns them.
 * A `MAX_TOKENS` finish is truncated JSON, reported as such.
 */
export function createGeminiProvider(options: GeminiProviderOptions): LlmProvider {
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      apiVersion: "v1beta",
      timeout: options.timeoutMs + 1_000,
      ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
    },
  });

  const backend: ChatBackend = {
    async complete({ model, system, messages, format }, signal) {
      try {
        const response = await ai.models.generateContent({
          model,
          contents: messages.map((m) => ({
            role: m.role === "assistant" ? "model" : "user",
            parts: [{ text: m.content }],
          })),
          config: {
            systemInstruction: system,
            ...(format === "review"
              ? { responseMimeType: "application/json", responseJsonSchema: RESPONSE_SCHEMA }
              : {}),
            maxOutputTokens: options.maxOutputTokens,
            abortSignal: signal,
          },
        });
        const candidate = response.candidates?.[0];
        const text = candidate?.content?.parts?.map((p) => p.text ?? "").join("") ?? "";
        const usage = response.usageMetadata;
        return {
          text,
          truncated: candidate?.finishReason === "MAX_TOKENS",
          model: response.modelVersion ?? model,
          usage: usage
            ? {
                inputTokens: usage.promptTokenCount ?? 0,
                outputTokens: usage.candidatesTokenCount ?? 0,
              }
            : undefined,
        };
      } catch (error) {
        throw toProviderError(error, signal);
      }
    },
  };
  return createLlmProvider({
    id: "gemini",
    displayName: "Gemini",
    defaultModel: options.model,
    backend,
    honoursRepoModel: false,
  });
}

function toProviderError(error: unknown, signal: AbortSignal): ProviderError {
  if (signal.aborted)
    return new ProviderError("gemini", "aborted", "request cancelled", { cause: error });
  if (error instanceof ApiError) {
    return new ProviderError("gemini", kindForStatus(error.status), `HTTP ${error.status}`, {
      status: error.status,
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : "";
  if (name === "AbortError" || name === "TimeoutError") {
    return new ProviderError("gemini", "timeout", "request timed out", { cause: error });
  }
  return new ProviderError("gemini", "connection", "request failed", { cause: error });
}
