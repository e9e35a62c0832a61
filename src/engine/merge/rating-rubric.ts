import type { Finding } from "../../model/types.js";

/**
 * The score given when no model judged the change. Documented in README ("Rating without a
 * model"): start at 10, take 3 per critical finding, 1 per warning and ¼ per suggestion, round,
 * and never go below 1. It is labelled as computed wherever it is shown.
 */
export function rateByRubric(findings: readonly Pick<Finding, "severity">[]): {
  score: number;
  reason: string;
} {
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
  const critical = count("critical");
  const warning = count("warning");
  const suggestion = count("suggestion");
  const score = Math.max(1, Math.min(10, Math.round(10 - 3 * critical - warning - suggestion / 4)));
  const reason = `Computed from the static findings (${critical} critical, ${warning} ${warning === 1 ? "warning" : "warnings"}, ${suggestion} ${suggestion === 1 ? "suggestion" : "suggestions"}) by Critic's rubric, not judged by a model.`;
  return { score, reason };
}
