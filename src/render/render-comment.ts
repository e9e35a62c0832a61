import type { AnchoredFinding } from "../model/review-result.js";
import type { Severity } from "../model/types.js";
import type { Redactor } from "../security/redactor.js";
import { findingFingerprint, ruleOf } from "../store/fingerprint.js";
import { neutraliseMarkup, renderFindingMarker } from "./markers.js";

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "🔴 Critical",
  warning: "🟠 Warning",
  suggestion: "💡 Suggestion",
};

/**
 * The body of one inline review comment: severity, category, message and an optional suggestion,
 * then a hidden marker naming the finding's rule and fingerprint, so a reply can teach Critic
 * about it. Pass the redactor the history uses, so the fingerprint is the one it stores.
 */
export function renderComment(
  finding: AnchoredFinding,
  redactor?: Pick<Redactor, "redact"> | undefined,
): string {
  const marker = renderFindingMarker({
    rule: ruleOf(finding.source),
    category: finding.category,
    fingerprint: findingFingerprint(finding, redactor && ((text) => redactor.redact(text))),
  });
  return `${renderCommentText(finding)}\n\n${marker}`;
}

/** What a person reads of a comment, without the marker: the CLI prints this. */
export function renderCommentText(finding: AnchoredFinding): string {
  const parts = [
    `**${SEVERITY_LABEL[finding.severity]}** · ${finding.category}`,
    neutraliseMarkup(finding.message),
  ];
  if (finding.movedFrom !== undefined) {
    parts.push(
      `_(Line ${finding.movedFrom} is outside the diff; this comment was placed on the nearest changed line.)_`,
    );
  }
  if (finding.suggestion !== undefined) parts.push(renderSuggestion(finding.suggestion));
  return parts.join("\n\n");
}

/**
 * A ```suggestion block. Applying it replaces exactly the commented lines; the fence is made
 * longer than any run of backticks inside so code containing fences cannot end it early.
 * https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/reviewing-changes-in-pull-requests/commenting-on-a-pull-request
 */
export function renderSuggestion(code: string): string {
  const body = code.replace(/\r\n/g, "\n").replace(/\n$/, "");
  let longest = 0;
  for (const run of body.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return body === "" ? `${fence}suggestion\n${fence}` : `${fence}suggestion\n${body}\n${fence}`;
}
