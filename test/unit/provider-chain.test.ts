import { describe, expect, it } from "vitest";
import type { ReviewRequest } from "../../src/engine/model-port.js";
import { markSanitized } from "../../src/engine/sanitize/sanitized.js";
import { ProviderError } from "../../src/errors.js";
import type { Provider } from "../../src/providers/provider.js";
import { createProviderChain } from "../../src/providers/provider-chain.js";
import { createStaticProvider } from "../../src/providers/static.js";
import { createFakeClock } from "../helpers/fake-clock.js";

// Requests are sanitized by the engine before they reach the chain; these hold nothing to redact.
const config = markSanitized({ instructions: "", language: "English", level: "middle" as const });
const input: ReviewRequest = {
  pr: markSanitized({ title: "t", body: "" }),
  files: [],
  staticFindings: [],
  config,
};
const file = (path: string) => markSanitized({ path, status: "added" as const, hunks: [] });
const quiet = { info: () => {}, warn: () => {} };

function flaky(behaviour: () => Promise<never> | never): Provider & { calls: number } {
  const provider = {
    id: "flaky",
    displayName: "Flaky",
    usesModel: true,
    calls: 0,
    async review() {
      provider.calls++;
      await Promise.resolve();
      return behaviour();
    },
  };
  return provider;
}

const chainOf = (p: Provider) =>
  createProviderChain({
    providers: [p, createStaticProvider()],
    clock: createFakeClock().clock,
    retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 100 },
    timeoutMs: 1_000,
    breaker: { threshold: 3, coolDownMs: 60_000 },
    cacheEntries: 0,
    log: quiet,
  });

describe("providers/provider-chain", () => {
  it("stops retrying a call in flight once other calls opened the circuit", async () => {
    const provider = flaky(() => {
      throw new ProviderError("flaky", "server", "HTTP 500", { status: 500 });
    });
    // The first call's backoff waits on a gate; the others' pass at once.
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sleeps = 0;
    const clock = {
      now: () => 0,
      random: () => 0.5,
      sleep: async () => (sleeps++ === 0 ? gate : undefined),
    };
    const chain = createProviderChain({
      providers: [provider, createStaticProvider()],
      clock,
      retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 1_000,
      breaker: { threshold: 3, coolDownMs: 60_000 },
      cacheEntries: 0,
      log: quiet,
    });

    const slow = chain.review(input, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 0));
    for (let i = 0; i < 3; i++) await chain.review(input, new AbortController().signal);
    expect(chain.states().flaky).toBe("open");
    const callsBefore = provider.calls;
    release();
    const result = await slow;

    expect(result.served.id).toBe("static");
    expect(provider.calls).toBe(callsBefore);
    expect(chain.states().flaky).toBe("open");
  });

  it("treats a bug inside a provider as unexpected: no retries, no breaker count", async () => {
    const provider = flaky(() => {
      throw new TypeError("cannot read properties of undefined");
    });
    const chain = chainOf(provider);

    const result = await chain.review(input, new AbortController().signal);

    expect(provider.calls).toBe(1);
    expect(result.failed).toEqual([
      { provider: "flaky", displayName: "Flaky", failure: "failed unexpectedly" },
    ]);
    expect(chain.states().flaky).toBe("closed");
  });
});

describe("providers/llm-provider cache keys", () => {
  it("differ by provider, model, configuration and diff, and match for the same prompt", async () => {
    const { createLlmProvider } = await import("../../src/providers/llm-provider.js");
    const backend = {
      complete: async () => ({ text: "", truncated: false, model: "m", usage: undefined }),
    };
    const make = (id: string, defaultModel: string) =>
      createLlmProvider({ id, displayName: id, defaultModel, backend, honoursRepoModel: true });
    const base = { ...input, files: [file("a.ts")] };
    const key = make("openai", "gpt-a").cacheKey(base);

    expect(make("openai", "gpt-a").cacheKey(base)).toBe(key);
    expect(make("gemini", "gpt-a").cacheKey(base)).not.toBe(key);
    expect(make("openai", "gpt-b").cacheKey(base)).not.toBe(key);
    expect(
      make("openai", "gpt-a").cacheKey({
        ...base,
        config: markSanitized({ ...config, model: "gpt-c" }),
      }),
    ).not.toBe(key);
    expect(
      make("openai", "gpt-a").cacheKey({
        ...base,
        config: markSanitized({ ...config, level: "senior" as const }),
      }),
    ).not.toBe(key);
    expect(
      make("openai", "gpt-a").cacheKey({
        ...base,
        files: [file("b.ts")],
      }),
    ).not.toBe(key);
  });
});
