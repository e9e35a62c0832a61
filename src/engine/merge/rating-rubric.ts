import type { Finding } from "../../model/types.js";

/** Warnings and suggestions are counted per this many lines of reviewed code. */
const PER_LINES = 1_000;
/** A suggestion weighs this much of a warning. */
const SUGGESTION_WEIGHT = 1 / 4;
/** One critical finding caps the rating here; each further one takes a point more. */
const CRITICAL_CAP = 4;

/**
 * The score given when no model judged the change. Documented in README ("Rating without a
 * model"):
 *
 *   minor  = (warnings + suggestions / 4) × 1000 / max(1000, reviewed lines)
 *   rating = round(10 − minor), at most 5 − criticals when there is a critical finding,
 *            and between 1 and 10.
 *
 * Warnings and suggestions count by density, so a large healthy change is not sunk by a handful
 * of them; a change under 1,000 lines pays a point per warning. Critical findings weigh the same
 * whatever the size: one caps the rating at 4. `reviewedLines` is the number of lines added in
 * the files reviewed (`countReviewedLines`). Pure; labelled as computed wherever it is shown.
 */
export function rateByRubric(
  findings: readonly Pick<Finding, "severity">[],
  size: { reviewedLines: number },
): { score: number; reason: string } {
  let critical = 0;
  let warning = 0;
  let suggestion = 0;
  for (const f of findings) {
    if (f.severity === "critical") critical += 1;
    else if (f.severity === "warning") warning += 1;
    else suggestion += 1;
  }
  const lines = Number.isFinite(size.reviewedLines) ? Math.max(0, size.reviewedLines) : 0;
  const minor =
    ((warning + suggestion * SUGGESTION_WEIGHT) * PER_LINES) / Math.max(PER_LINES, lines);
  const cap = critical > 0 ? CRITICAL_CAP + 1 - critical : 10;
  const score = Math.max(1, Math.min(cap, Math.round(10 - minor)));
  const plural = (n: number, word: string) => `${n} ${n === 1 ? word : `${word}s`}`;
  const reason = `Computed from the static findings (${critical} critical, ${plural(warning, "warning")}, ${plural(suggestion, "suggestion")}) in ${lines.toLocaleString("en-US")} reviewed ${lines === 1 ? "line" : "lines"} by Critic's rubric, not judged by a model.`;
  return { score, reason };
}
