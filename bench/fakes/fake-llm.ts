import { createServer, type IncomingMessage, type Server } from "node:http";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

export type LlmFaultKind = "5xx" | "429" | "timeout" | "garbage";

export type LlmFaults = {
  rng: () => number;
  /** Share of requests that fail. */
  rate: number;
  kinds?: readonly LlmFaultKind[];
  /** How long a "timeout" keeps the client waiting before answering (longer than its timeout). */
  hangMs?: number;
};

export type LlmPrompt = { api: "openai" | "gemini"; system: string; user: string };

export type LlmStats = {
  requests: number;
  byApi: { openai: number; gemini: number };
  faults: Record<LlmFaultKind, number>;
  /** Tokens (o200k) of what was asked, counted by the fake, not trusted from the client. */
  promptTokens: number;
  systemTokens: number;
};

/** One request the fake received: when it arrived, when it was answered (0 until then). */
export type LlmCall = { at: number; doneAt: number; promptChars: number; status: number };

export type FakeLlm = {
  /** The OpenAI-compatible root, for OPENAI_BASE_URL. */
  url: string;
  /** The Gemini root, for GEMINI_BASE_URL (`<root>/v1beta/models/<m>:generateContent`). */
  geminiUrl: string;
  readonly requests: number;
  readonly stats: LlmStats;
  /** Requests in flight. */
  readonly inFlight: number;
  /** Largest number of requests in flight at once. */
  readonly peakInFlight: number;
  /** Every request, in arrival order. */
  readonly calls: LlmCall[];
  resetStats(): void;
  close(): Promise<void>;
};

/**
 * A model server on loopback speaking OpenAI Chat Completions (`POST /v1/chat/completions`) and
 * Gemini (`POST /v1beta/models/<m>:generateContent`). It answers `answer` (by default one finding
 * on the first added line of the diff it was sent) after `latencyMs`, counts prompt tokens, and
 * can fail a share of requests from a seeded random source: 5xx, 429 with retry-after, a hang
 * past the client's timeout, or garbage.
 */
export async function startFakeLlm(
  options: {
    answer?: unknown | ((prompt: LlmPrompt) => unknown);
    latencyMs?: number;
    faults?: LlmFaults;
    /** Count prompt tokens (costs CPU in the fake; off for throughput runs). */
    countTokens?: boolean;
  } = {},
): Promise<FakeLlm> {
  const fresh = (): LlmStats => ({
    requests: 0,
    byApi: { openai: 0, gemini: 0 },
    faults: { "5xx": 0, "429": 0, timeout: 0, garbage: 0 },
    promptTokens: 0,
    systemTokens: 0,
  });
  const state = { stats: fresh(), inFlight: 0, peakInFlight: 0 };
  const calls: LlmCall[] = [];
  const kinds = options.faults?.kinds ?? ["5xx", "429", "timeout", "garbage"];

  const server: Server = createServer((req, res) => {
    const call: LlmCall = { at: Date.now(), doneAt: 0, promptChars: 0, status: 0 };
    calls.push(call);
    res.on("finish", () => {
      call.doneAt = Date.now();
      call.status = res.statusCode;
    });
    void (async () => {
      const raw = await readText(req);
      const api = req.url?.includes(":generateContent") ? "gemini" : "openai";
      const prompt = parsePrompt(api, raw);
      call.promptChars = prompt.system.length + prompt.user.length;
      const stats = state.stats;
      stats.requests++;
      stats.byApi[api]++;
      state.inFlight++;
      state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
      res.on("close", () => state.inFlight--);
      let promptTokens = 1000;
      if (options.countTokens) {
        const system = tokens(prompt.system);
        promptTokens = system + tokens(prompt.user);
        stats.systemTokens += system;
        stats.promptTokens += promptTokens;
      }
      const faults = options.faults;
      const fault =
        faults && faults.rng() < faults.rate
          ? kinds[Math.floor(faults.rng() * kinds.length)]
          : undefined;
      if (fault) stats.faults[fault]++;
      const delay = fault === "timeout" ? (faults?.hangMs ?? 30_000) : (options.latencyMs ?? 0);
      await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed) return;
      if (fault === "5xx") return send(res, 503, errorBody(api, 503, "overloaded"));
      if (fault === "429")
        return send(res, 429, errorBody(api, 429, "rate limited"), {
          "retry-after-ms": "100",
          "retry-after": "1",
        });
      if (fault === "garbage" && (faults?.rng() ?? 0) < 0.5)
        return send(res, 200, "<html>upstream proxy error</html>");
      const answer =
        fault === "garbage"
          ? "Sure! Here is my review: looks good to me {"
          : JSON.stringify(
              typeof options.answer === "function"
                ? (options.answer as (p: LlmPrompt) => unknown)(prompt)
                : (options.answer ?? findingOnFirstAddedLine(prompt)),
            );
      return send(res, 200, JSON.stringify(completion(api, answer, promptTokens)));
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    geminiUrl: `http://127.0.0.1:${port}`,
    get requests() {
      return state.stats.requests;
    },
    get stats() {
      return state.stats;
    },
    get inFlight() {
      return state.inFlight;
    },
    get peakInFlight() {
      return state.peakInFlight;
    },
    calls,
    resetStats() {
      state.stats = fresh();
      state.peakInFlight = state.inFlight;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A review answer with one warning on the first added line of the first file in the diff. */
export function findingOnFirstAddedLine(prompt: LlmPrompt): unknown {
  const path = /^### (\S+)/m.exec(prompt.user)?.[1];
  const line = /^(\d+) ?\+/m.exec(prompt.user)?.[1];
  return {
    summary: "A change the fake model read.",
    findings:
      path && line
        ? [
            {
              path,
              line: Number(line),
              start_line: null,
              severity: "warning",
              category: "bug",
              message: "The fake model flags this line.",
              suggestion: null,
            },
          ]
        : [],
    rating: 7,
    rating_reason: "Fine apart from one thing.",
    conclusion: "Fix the flagged line, then merge.",
  };
}

function tokens(text: string): number {
  return text === "" ? 0 : countTokens(text, { disallowedSpecial: new Set() });
}

type OpenAiBody = { messages?: Array<{ role: string; content: unknown }> };
type GeminiBody = {
  contents?: Array<{ parts?: Array<{ text?: string }> }>;
  systemInstruction?: unknown;
};

function parsePrompt(api: "openai" | "gemini", raw: string): LlmPrompt {
  try {
    if (api === "openai") {
      const body = JSON.parse(raw) as OpenAiBody;
      const messages = body.messages ?? [];
      const text = (role: (r: string) => boolean) =>
        messages
          .filter((m) => role(m.role))
          .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
          .join("\n");
      return { api, system: text((r) => r === "system"), user: text((r) => r !== "system") };
    }
    const body = JSON.parse(raw) as GeminiBody;
    return {
      api,
      system: textsOf(body.systemInstruction).join("\n"),
      user: (body.contents ?? [])
        .flatMap((c) => (c.parts ?? []).map((p) => p.text ?? ""))
        .join("\n"),
    };
  } catch {
    return { api, system: "", user: "" };
  }
}

/** Every `text` string inside a Gemini content value (a string, a part, or a content). */
function textsOf(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (typeof value === "object" && value !== null) {
    const v = value as { text?: unknown; parts?: unknown };
    if (typeof v.text === "string") return [v.text];
    if (v.parts !== undefined) return textsOf(v.parts);
  }
  return [];
}

function completion(api: "openai" | "gemini", content: string, promptTokens: number): unknown {
  if (api === "gemini") {
    return {
      candidates: [
        { content: { role: "model", parts: [{ text: content }] }, finishReason: "STOP" },
      ],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: 200,
        totalTokenCount: promptTokens + 200,
      },
      modelVersion: "fake-gemini",
    };
  }
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "fake-model",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: 200,
      total_tokens: promptTokens + 200,
    },
  };
}

function errorBody(api: "openai" | "gemini", status: number, message: string): string {
  return JSON.stringify(
    api === "gemini"
      ? {
          error: {
            code: status,
            message,
            status: status === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
          },
        }
      : { error: { message, type: "server_error", code: null } },
  );
}

function send(
  res: import("node:http").ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
