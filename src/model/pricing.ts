import type { TokenUsage } from "../model/types.js";

/**
 * US dollars per million tokens. `cachedInput` is the rate of input tokens the provider served
 * from its prompt cache; without it they cost `input`, which errs on the high side.
 */
export type Price = { input: number; output: number; cachedInput?: number | undefined };
export type PriceTable = Record<string, Price>;

/**
 * List prices at the time of writing, for the cost estimate in the summary footer. They change:
 * operators set their own with `CRITIC_PRICES` (JSON, same shape), which is merged over these.
 * Cached input: https://platform.openai.com/docs/pricing and https://ai.google.dev/gemini-api/docs/pricing
 * (Gemini's "context caching" rate, prompts up to 200k tokens).
 */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
  "gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.03 },
};

/**
 * The estimated cost of `usage` on `model`, or undefined for a model with no price. A dated model
 * name (`gpt-4.1-mini-2025-04-14`) takes the price of its longest listed prefix. Cached input
 * tokens are part of `inputTokens` (as both OpenAI and Gemini count them) and cost the cached rate.
 */
export function estimateCost(
  model: string,
  usage: TokenUsage,
  prices: PriceTable,
): number | undefined {
  const name = Object.keys(prices)
    .filter((m) => model === m || model.startsWith(`${m}-`))
    .sort((a, b) => b.length - a.length)[0];
  const price = name === undefined ? undefined : prices[name];
  if (!price) return undefined;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  return (
    ((usage.inputTokens - cached) * price.input +
      cached * (price.cachedInput ?? price.input) +
      usage.outputTokens * price.output) /
    1_000_000
  );
}
