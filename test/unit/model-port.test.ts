import PQueue from "p-queue";
import { describe, expect, it } from "vitest";
import type { AskRequest } from "../../src/engine/model-port.js";
import { markSanitized } from "../../src/engine/sanitize/sanitized.js";
import { createModelPort } from "../../src/providers/model-port.js";
import type { ProviderChain } from "../../src/providers/provider-chain.js";

const request = (question: string): AskRequest => ({
  question: markSanitized(question),
  pr: markSanitized({ title: "t", body: "" }),
  files: [],
  config: markSanitized({ instructions: "", language: "English", level: "middle" as const }),
});

describe("providers/model-port", () => {
  it("takes a pull request's call before a backlog of API calls sharing the limit", async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chain = {
      providers: [{ id: "m", displayName: "M", usesModel: true, review: async () => ({}) }],
      ask: async (input: AskRequest) => {
        order.push(input.question);
        if (input.question === "api 1") await gate;
        return { failed: [] };
      },
    } as unknown as ProviderChain;
    const calls = new PQueue({ concurrency: 1 });
    const api = createModelPort(chain, calls, 0);
    const pr = createModelPort(chain, calls, 1);
    const signal = new AbortController().signal;

    const backlog = [1, 2, 3].map((n) => api.ask(request(`api ${n}`), signal));
    await new Promise((r) => setTimeout(r, 0));
    const review = pr.ask(request("pull request"), signal);
    release();
    await Promise.all([...backlog, review]);

    expect(order).toEqual(["api 1", "pull request", "api 2", "api 3"]);
  });
});
