import type { PriorFinding } from "../model/review-result.js";
import { parseFindings, parseState } from "../render/markers.js";
import type { StoredReview } from "../store/review-history.js";

/** Where a review starts from: the last reviewed head and the findings its summary listed. */
export type LastReview = {
  sha: string;
  findings: PriorFinding[];
  /** `history`: the database's record; `markers`: the summary's hidden markers (no record). */
  from: "history" | "markers";
};

/**
 * The last review of a pull request: the history's newest `reviewed` review when it has one (the
 * database is the record, and wins where the two disagree), else what the summary's markers say.
 * Undefined before a first review. Pure. Whether reviews are paused is not here: that stays in
 * the markers (and in the process's `/pause` map).
 */
export function lastReview(
  summary: string | undefined,
  recorded: Pick<StoredReview, "headSha" | "findings"> | undefined,
): LastReview | undefined {
  if (recorded && recorded.headSha !== "")
    return {
      sha: recorded.headSha,
      findings: recorded.findings.map((f) => ({
        path: f.path,
        line: f.line,
        severity: f.severity,
        category: f.category,
        message: f.message,
        inline: f.placement === "inline" || f.placement === "earlier-inline",
      })),
      from: "history",
    };
  const sha = summary ? parseState(summary)?.sha : undefined;
  if (!summary || !sha) return undefined;
  return {
    sha,
    findings: parseFindings(summary).map((f) => ({
      path: f.p,
      line: f.l,
      severity: f.s as PriorFinding["severity"],
      category: f.c as PriorFinding["category"],
      message: f.m,
      inline: f.i,
    })),
    from: "markers",
  };
}
