import type { ModelPort } from "../engine/model-port.js";
import type { Spend, SpendLedger } from "./spend-ledger.js";

/** The operator's daily model budget per installation; 0 is no cap. */
export type DailyBudget = { tokens: number; usd: number };

/** Why an installation's model budget is used up, or undefined while it is not. */
export function budgetUsedUp(spent: Spend, budget: DailyBudget): string | undefined {
  if (budget.tokens > 0 && spent.tokens >= budget.tokens)
    return `this installation used its ${budget.tokens.toLocaleString("en-US")} model tokens for today (UTC)`;
  if (budget.usd > 0 && spent.usd >= budget.usd)
    return `this installation used its $${budget.usd} model budget for today (UTC)`;
  return undefined;
}

/** The model port an installation's work may use now: none once its budget is used up. */
export async function modelWithin(
  model: ModelPort,
  budget: { ledger: SpendLedger; daily: DailyBudget; now(): number },
  installationId: number,
): Promise<ModelPort> {
  const why = budgetUsedUp(await budget.ledger.spent(installationId, budget.now()), budget.daily);
  return why ? withoutModel(why) : model;
}

/**
 * A model port for an installation past its budget: no request reaches a model; reviews get the
 * static checks' answer, questions no answer, and both say why.
 */
export function withoutModel(why: string): ModelPort {
  const failed = [{ provider: "budget", displayName: "Model budget", failure: why }];
  return {
    hasModel: false,
    review: async (request) => ({
      result: {
        findings: [...request.staticFindings],
        summary: "",
        conclusion: "",
        model: "built-in rules",
        dropped: 0,
      },
      served: { id: "static", displayName: "Static checks", usesModel: false },
      cached: false,
      failed,
    }),
    ask: async () => ({ failed }),
  };
}
