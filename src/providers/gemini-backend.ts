import { ApiError, GoogleGenAI } from "@google/genai";
import { z } from "zod";
import { kindForStatus, ProviderError } from "../errors.js";
import { ModelAnswer } from "../prompt/model-answer.schema.js";
import type { GeminiProviderOptions } from "./gemini.js";
import type { ChatBackend } from "./llm-provider.js";

const { $schema: _ignored, ...RESPONSE_SCHEMA } = z.toJSONSchema(ModelAnswer) as Record<
  string,
  unknown
>;

/** The SDK-bound half of the Gemini provider, loaded on its first request (see `gemini.ts`). */
export function geminiBackend(options: GeminiProviderOptions): ChatBackend {
  const ai = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      apiVersion: "v1beta",
      timeout: options.timeoutMs + 1_000,
      ...(options.baseURL ? { baseUrl: options.baseURL } : {}),
    },
  });

  return {
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
                // Part of promptTokenCount: implicit (or explicit) context caching served them.
                cachedInputTokens: usage.cachedContentTokenCount,
              }
            : undefined,
        };
      } catch (error) {
        throw toProviderError(error, signal);
      }
    },
  };
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
