import { afterEach, describe, expect, it, vi } from "vitest";
import { geminiBackend } from "../../src/providers/gemini-backend.js";
import { openAIBackend } from "../../src/providers/openai-backend.js";

const ANSWER = JSON.stringify({
  summary: "s",
  findings: [],
  rating: 8,
  rating_reason: "r",
  conclusion: "c",
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

type ChatBody = { messages: Array<{ role: string; content: string }>; response_format?: unknown };

function completion(usage: Record<string, unknown>) {
  return {
    id: "c",
    object: "chat.completion",
    created: 0,
    model: "gpt-4.1-mini",
    choices: [{ index: 0, message: { role: "assistant", content: ANSWER }, finish_reason: "stop" }],
    usage,
  };
}

const request = {
  model: "gpt-4.1-mini",
  system: "SYSTEM",
  messages: [{ role: "user" as const, content: "USER" }],
  format: "review" as const,
};

describe("providers/openai-backend", () => {
  it("reports the cached part of the prompt tokens", async () => {
    const fetch = vi.fn(async () =>
      json(
        200,
        completion({
          prompt_tokens: 2_000,
          completion_tokens: 100,
          total_tokens: 2_100,
          prompt_tokens_details: { cached_tokens: 1_536 },
        }),
      ),
    );
    const backend = openAIBackend({
      apiKey: "k",
      model: "gpt-4.1-mini",
      timeoutMs: 5_000,
      maxOutputTokens: 1_000,
      fetch,
    });

    const result = await backend.complete(request, new AbortController().signal);

    expect(result.usage).toEqual({
      inputTokens: 2_000,
      outputTokens: 100,
      cachedInputTokens: 1_536,
    });
  });

  it("sends the system prompt unchanged with structured output, and the schema with it in JSON mode", async () => {
    const bodies: ChatBody[] = [];
    const fetch = vi.fn(async (_url: unknown, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)) as ChatBody);
      return bodies.length === 1
        ? json(400, { error: { message: "response_format json_schema is not supported" } })
        : json(200, completion({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }));
    });
    const backend = openAIBackend({
      apiKey: "k",
      model: "gpt-4.1-mini",
      timeoutMs: 5_000,
      maxOutputTokens: 1_000,
      fetch,
    });

    const result = await backend.complete(request, new AbortController().signal);

    expect(result.text).toBe(ANSWER);
    expect(result.usage?.cachedInputTokens).toBeUndefined();
    expect(bodies[0]?.messages[0]).toEqual({ role: "system", content: "SYSTEM" });
    expect(bodies[1]?.response_format).toEqual({ type: "json_object" });
    const system = bodies[1]?.messages[0]?.content ?? "";
    expect(system.startsWith("SYSTEM\n")).toBe(true);
    expect(system).toContain('"rating_reason"');
    expect(system).toContain("Replacement code for exactly start_line..line");
  });
});

describe("providers/gemini-backend", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("reports the cached part of the prompt tokens", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json(200, {
          candidates: [
            { content: { role: "model", parts: [{ text: ANSWER }] }, finishReason: "STOP" },
          ],
          usageMetadata: {
            promptTokenCount: 3_000,
            candidatesTokenCount: 200,
            cachedContentTokenCount: 2_048,
            totalTokenCount: 3_200,
          },
          modelVersion: "gemini-2.5-flash",
        }),
      ),
    );
    const backend = geminiBackend({
      apiKey: "k",
      model: "gemini-2.5-flash",
      timeoutMs: 5_000,
      maxOutputTokens: 1_000,
      baseURL: "http://gemini.test",
    });

    const result = await backend.complete(
      { ...request, model: "gemini-2.5-flash" },
      new AbortController().signal,
    );

    expect(result.usage).toEqual({
      inputTokens: 3_000,
      outputTokens: 200,
      cachedInputTokens: 2_048,
    });
  });
});
