import type { TokenUsage } from "../model/types.js";

/** US dollars per million tokens. */
export type Price = { input: number; output: number };
export type PriceTable = Record<string, Price>;

/**
 * List prices at the time of writing, for the cost estimate in the summary footer. They change:
 * operators set their own with `CRITIC_PRICES` (JSON, same shape), which is merged over these.
 */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
};

/**
 * The estimated cost of `usage` on `model`, or undefined for a model with no price. A dated model
 * name (`gpt-4.1-mini-2025-04-14`) takes the price of its longest listed prefix.
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
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
