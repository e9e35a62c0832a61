import { estimateCost, type PriceTable } from "../../model/pricing.js";
import type {
  AiCoverage,
  Anchored,
  PriorFinding,
  ReviewResult,
  UsageLine,
} from "../../model/review-result.js";
import type { Finding, Severity } from "../../model/types.js";
import type { ModelReview } from "../model-port.js";

export type Merged = {
  /** The worst part's model rating; undefined when no model rated (the rubric applies). */
  rating: ReviewResult["rating"];
  overview: string;
  conclusion: string;
  servedBy: string;
  ai: AiCoverage;
  notes: string[];
  /** Parts answered by a model. */
  byModel: number;
};

/**
 * One review from several answers: the lowest model rating stands (a change is as good as its
 * worst part) with that part's conclusion; the overviews are joined; the notes say which
 * providers served and which failed. Texts for parts no model saw are written by `describeStatic`
 * from the merged findings, never copied from one part's answer.
 */
export function mergeAnswers(answers: readonly ModelReview[], hasModel: boolean): Merged {
  const byModel = answers.filter((a) => a.served.usesModel);
  const notes: string[] = [];
  const failures = new Map<string, Set<string>>();
  for (const a of answers) {
    for (const f of a.failed)
      failures.set(f.displayName, (failures.get(f.displayName) ?? new Set()).add(f.failure));
  }
  const failureText = [...failures]
    .map(([name, kinds]) => `${name}: ${[...kinds].join(", ")}`)
    .join("; ");
  const servedNames = [
    ...new Set(byModel.map((a) => `${a.served.displayName} \`${a.result.model}\``)),
  ];

  if (byModel.length === 0) {
    const why =
      failureText || (hasModel ? "nothing was sent to a model" : "no AI provider is configured");
    notes.push(`AI review unavailable (${why}) — static checks only.`);
  } else if (byModel.length < answers.length) {
    notes.push(
      `${answers.length - byModel.length} of ${answers.length} parts of this change got static checks only (${failureText}); the rest were reviewed by ${servedNames.join(" and ")}.`,
    );
  } else if (failures.size > 0) {
    notes.push(
      `${[...failures].map(([name, kinds]) => `${name} unavailable (${[...kinds].join(", ")})`).join("; ")} — reviewed by ${servedNames.join(" and ")}.`,
    );
  }
  const dropped = byModel.reduce((sum, a) => sum + a.result.dropped, 0);
  if (dropped > 0)
    notes.push(
      `${dropped} malformed ${dropped === 1 ? "finding" : "findings"} from the model ${dropped === 1 ? "was" : "were"} dropped.`,
    );

  const rated = byModel.filter((a) => a.result.rating !== undefined);
  const worst = rated.reduce<ModelReview | undefined>(
    (w, a) => (!w || (a.result.rating?.score ?? 11) < (w.result.rating?.score ?? 11) ? a : w),
    undefined,
  );
  const overview = [...new Set(byModel.map((a) => a.result.summary.trim()).filter(Boolean))].join(
    " ",
  );
  return {
    rating: worst?.result.rating ? { ...worst.result.rating, computed: false } : undefined,
    overview,
    conclusion: worst?.result.conclusion ?? byModel[0]?.result.conclusion ?? "",
    servedBy: servedNames.length > 0 ? servedNames.join(" and ") : "static checks only",
    ai: coverage(answers.length, byModel.length, failures.size > 0),
    notes,
    byModel: byModel.length,
  };
}

/** Parts answered by a model, of all parts; a part without one got static checks. */
function coverage(parts: number, byModel: number, anyFailed: boolean): AiCoverage {
  if (parts > 0 && byModel === parts) return "full";
  if (byModel > 0) return "partial";
  // No part reached a model: because they failed, or because none was configured or asked.
  return anyFailed ? "unavailable" : "not-used";
}

/**
 * The overview and conclusion of a review no model read, from the merged findings of every part
 * and the families of checks that actually ran.
 */
export function describeStatic(
  findings: readonly Pick<Finding, "severity">[],
  families: readonly string[],
): { overview: string; conclusion: string } {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const parts = [
    plural(count("critical"), "critical finding", "critical findings"),
    plural(count("warning"), "warning", "warnings"),
    plural(count("suggestion"), "suggestion", "suggestions"),
  ];
  const ran = families.length > 0 ? ` (${families.join(", ")})` : "";
  const unseen = "No model reviewed this change, so logic and design were not checked.";
  return {
    overview: `Static checks only: ${parts.join(", ")} from Critic's built-in checks${ran}.`,
    conclusion:
      findings.length === 0
        ? `The built-in checks found nothing to fix. ${unseen}`
        : count("critical") + count("warning") > 0
          ? `Fix the critical findings and warnings listed above before merging. ${unseen}`
          : `Only suggestions were found; consider them before merging. ${unseen}`,
  };
}

/**
 * For a change reviewed in several requests: the counts over every part, so the overview never
 * speaks for one part alone.
 */
export function describeParts(
  parts: number,
  findings: readonly Pick<Finding, "severity">[],
): string {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `Reviewed in ${parts} parts; across all of them: ${plural(count("critical"), "critical finding", "critical findings")}, ${plural(count("warning"), "warning", "warnings")}, ${plural(count("suggestion"), "suggestion", "suggestions")}.`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Adds earlier findings still present to the summary. A new finding identical to one already
 * posted inline (same file, line and message) is not posted again: it stays listed as earlier.
 */
export function withPrior(fresh: Anchored, carried: readonly PriorFinding[]): Anchored {
  const key = (f: { path: string; line: number; message: string }) =>
    `${f.path}\0${f.line}\0${f.message.toLowerCase().replace(/\s+/g, " ").trim()}`;
  const posted = new Set(carried.filter((c) => c.inline).map(key));
  const fresher = new Set([...fresh.inline, ...fresh.summaryOnly].map(key));
  const earlier = carried.map((c) => ({
    ...c,
    source: "earlier-review",
    placement: "earlier" as const,
  }));
  return {
    inline: fresh.inline.filter((f) => !posted.has(key(f))),
    summaryOnly: [
      ...fresh.summaryOnly,
      ...earlier.filter((c) => !fresher.has(key(c)) || posted.has(key(c))),
    ],
  };
}

/** Tokens and cost per provider and model, over every part a model answered. */
export function usageLines(answers: readonly ModelReview[], prices: PriceTable): UsageLine[] {
  const lines = new Map<string, UsageLine>();
  for (const a of answers) {
    if (!a.served.usesModel) continue;
    const key = `${a.served.displayName}\0${a.result.model}`;
    const line = lines.get(key) ?? {
      provider: a.served.displayName,
      model: a.result.model,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: undefined,
      requests: 0,
      cached: 0,
    };
    line.inputTokens += a.result.usage?.inputTokens ?? 0;
    line.outputTokens += a.result.usage?.outputTokens ?? 0;
    const cachedTokens = a.result.usage?.cachedInputTokens ?? 0;
    if (cachedTokens > 0) line.cachedInputTokens = (line.cachedInputTokens ?? 0) + cachedTokens;
    line.requests += 1;
    line.cached += a.cached ? 1 : 0;
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => ({ ...l, costUsd: estimateCost(l.model, l, prices) }));
}
