import { createServer, type Server } from "node:http";

export type FakeLlm = { url: string; requests: number; close(): Promise<void> };

/** An OpenAI-compatible Chat Completions server on loopback that answers `answer` after `latencyMs`. */
export async function startFakeLlm(options: {
  answer: unknown;
  latencyMs?: number;
}): Promise<FakeLlm> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.requests++;
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "chatcmpl-fake",
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: "fake-model",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: JSON.stringify(options.answer) },
                finish_reason: "stop",
              },
            ],
            usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
          }),
        );
      }, options.latencyMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
