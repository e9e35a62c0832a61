import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, estimateCost } from "../../src/model/pricing.js";

describe("model/pricing: cached input", () => {
  const prices = {
    "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
    local: { input: 1, output: 1 },
  };

  it("prices cached input tokens at the cached rate, the rest at the input rate", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 600_000 };
    // 400,000 fresh at $2 and 600,000 cached at $0.50 per million.
    expect(estimateCost("gpt-4.1", usage, prices)).toBeCloseTo(0.8 + 0.3);
  });

  it("prices cached tokens at the input rate when the model has no cached rate", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 1_000_000 };
    expect(estimateCost("local", usage, prices)).toBeCloseTo(2);
  });

  it("never counts more cached tokens than input tokens", () => {
    const usage = { inputTokens: 1_000, outputTokens: 0, cachedInputTokens: 5_000 };
    expect(estimateCost("gpt-4.1", usage, prices)).toBeCloseTo(0.0005);
  });

  it("lists a cached rate, below the input rate, for every built-in model", () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
      expect(price.cachedInput, model).toBeDefined();
      expect(price.cachedInput ?? Number.POSITIVE_INFINITY, model).toBeLessThan(price.input);
    }
  });
});
