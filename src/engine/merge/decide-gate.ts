import type { RepoConfig } from "../../config/repo-config.schema.js";
import type { AiCoverage } from "../../model/review-result.js";
import { SEVERITY_RANK, type Severity } from "../../model/types.js";

export type GateConclusion = "success" | "failure" | "neutral";

export type GateDecision = {
  conclusion: GateConclusion;
  /** Why, one short sentence each: what tripped the gate, or why it could not be decided. */
  reasons: string[];
};

export type GateInput = {
  gate: RepoConfig["gate"];
  /** Every finding the summary lists (earlier ones that still apply too), not the resolved ones. */
  findings: ReadonlyArray<{ severity: Severity }>;
  rating: { score: number; computed: boolean } | undefined;
  ai: AiCoverage;
};

/**
 * The quality gate's verdict on one review. Pure: the same review and config always give the
 * same conclusion.
 * - `gate.fail_on` trips on a finding of that severity or worse; `gate.min_rating` on a lower rating.
 * - A trip is `failure` whatever the AI did: a model can only add findings and lower the rating.
 * - When the AI should have reviewed but every model provider failed (for all or part of the
 *   change), an untripped active gate is `neutral`: the model might have tripped it. A rating
 *   computed from static findings stands in for no model then, so it trips nothing.
 * - With no provider configured (or nothing sent to a model), static checks are the review and
 *   the gate judges them and their computed rating.
 */
export function decideGate(input: GateInput): GateDecision {
  const { gate, findings, rating, ai } = input;
  const reasons: string[] = [];
  if (gate.fail_on !== "never") {
    const limit = SEVERITY_RANK[gate.fail_on];
    const tripping = findings.filter((f) => SEVERITY_RANK[f.severity] <= limit).length;
    if (tripping > 0) {
      const what = gate.fail_on === "critical" ? "critical" : "critical or warning";
      reasons.push(
        `${tripping} ${what} ${tripping === 1 ? "finding" : "findings"} (\`fail_on: ${gate.fail_on}\`)`,
      );
    }
  }
  const aiMissing = ai === "unavailable" || ai === "partial";
  const ratingCounts = rating !== undefined && !(aiMissing && rating.computed);
  if (gate.min_rating > 0 && ratingCounts && rating.score < gate.min_rating) {
    reasons.push(`rating ${rating.score}/10 is below \`min_rating: ${gate.min_rating}\``);
  }
  if (reasons.length > 0) return { conclusion: "failure", reasons };

  const active = gate.fail_on !== "never" || gate.min_rating > 0;
  if (active && aiMissing) {
    return {
      conclusion: "neutral",
      reasons: [
        ai === "partial"
          ? "every AI provider failed for part of the change, so the gate could not be decided on static checks alone"
          : "every AI provider failed, so the gate could not be decided on static checks alone",
      ],
    };
  }
  return { conclusion: "success", reasons: [] };
}
