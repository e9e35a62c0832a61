import nock from "nock";
import { LLM_BASE } from "./test-app.js";

export type ChatRequest = {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: unknown;
};

/** One scripted reply of the fake OpenAI-compatible server. */
export type LlmReply =
  | {
      answer: Record<string, unknown>;
      finish?: string;
      delayMs?: number;
      /** The reply waits for this (a test's gate): a slow model without a real timer. */
      heldUntil?: Promise<void>;
    }
  | { text: string; finish?: string }
  | { status: number; body?: unknown; headers?: Record<string, string> };

/** Scripts the fake OpenAI server call by call; every request body is captured. */
export function openaiMock(replies: LlmReply[]) {
  const requests: ChatRequest[] = [];
  const scope = nock(LLM_BASE);
  for (const reply of replies) {
    const matched = scope.post("/v1/chat/completions", (body: ChatRequest) => {
      requests.push(body);
      return true;
    });
    const interceptor =
      "delayMs" in reply && reply.delayMs ? matched.delay(reply.delayMs) : matched;
    if ("status" in reply) {
      interceptor.reply(
        reply.status,
        (reply.body ?? { error: { message: "fault" } }) as nock.Body,
        reply.headers,
      );
    } else {
      const content = "answer" in reply ? JSON.stringify(reply.answer) : reply.text;
      const held = "heldUntil" in reply ? reply.heldUntil : undefined;
      const body = {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-test-2026",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content },
            finish_reason: reply.finish ?? "stop",
          },
        ],
        usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
      };
      if (held)
        interceptor.reply(async () => held.then(() => [200, body] as [number, typeof body]));
      else interceptor.reply(200, body);
    }
  }
  return { scope, requests };
}

/** A fake OpenAI that answers every request (at least one) with `answerFor(request)`. */
export function openaiDynamic(answerFor: (request: ChatRequest) => Record<string, unknown>) {
  const requests: ChatRequest[] = [];
  const scope = nock(LLM_BASE)
    .post("/v1/chat/completions")
    .reply(200, (_uri, body) => {
      const request = body as ChatRequest;
      requests.push(request);
      return {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-test-2026",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: JSON.stringify(answerFor(request)) },
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      };
    })
    .persist();
  return { scope, requests };
}

/** A well-formed model answer with the given findings. */
export function modelAnswer(findings: Array<Record<string, unknown>>, rating = 6) {
  return {
    summary: "Adds a greeting helper.",
    findings: findings.map((f) => ({
      start_line: null,
      suggestion: null,
      category: "bug",
      severity: "warning",
      ...f,
    })),
    rating,
    rating_reason: "Works, but one bug must be fixed.",
    conclusion: "Fix the division by zero before merging.",
  };
}

export const GEMINI_BASE = "http://gemini.test";

export type GeminiRequest = {
  contents: Array<{ role: string; parts: Array<{ text: string }> }>;
  systemInstruction?: unknown;
  generationConfig?: Record<string, unknown>;
};

/** Scripts the fake Gemini API (`<root>/v1beta/models/<model>:generateContent`) call by call. */
export function geminiMock(replies: LlmReply[], model = "gemini-test") {
  const requests: GeminiRequest[] = [];
  const scope = nock(GEMINI_BASE);
  for (const reply of replies) {
    const interceptor = scope.post(
      `/v1beta/models/${model}:generateContent`,
      (body: GeminiRequest) => {
        requests.push(body);
        return true;
      },
    );
    if ("status" in reply) {
      interceptor.reply(
        reply.status,
        (reply.body ?? {
          error: { code: reply.status, message: "fault", status: "UNAVAILABLE" },
        }) as nock.Body,
        reply.headers,
      );
    } else {
      const text = "answer" in reply ? JSON.stringify(reply.answer) : reply.text;
      interceptor.reply(200, {
        candidates: [
          { content: { role: "model", parts: [{ text }] }, finishReason: reply.finish ?? "STOP" },
        ],
        usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 100, totalTokenCount: 1000 },
        modelVersion: model,
      });
    }
  }
  return { scope, requests };
}
