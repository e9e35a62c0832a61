import { buildLineMap, findRange, type LineMap, nearestCommentable } from "../../diff/line-map.js";
import type { Anchored, AnchoredFinding, SummaryFinding } from "../../model/review-result.js";
import {
  bySeverity,
  type Finding,
  type ReviewFile,
  SEVERITY_RANK,
  type Severity,
} from "../../model/types.js";
import { REDACTED } from "../../security/scan-secrets.js";

export type AnchorOptions = { maxComments: number; minSeverity: Severity; maxDistance?: number };

/**
 * Checks every finding against the lines GitHub accepts before anything is posted, so one
 * invented line number can never make GitHub reject the whole review. A line outside the diff
 * moves to the nearest diff line when it is at most `maxDistance` (3) lines away; otherwise the
 * finding goes to the summary under "Outside the diff". A range must lie within one hunk, and a
 * suggestion is kept only when it still replaces exactly the lines the model meant.
 */
export function anchorFindings(
  findings: readonly Finding[],
  files: readonly ReviewFile[],
  options: AnchorOptions,
): Anchored {
  // Only files with findings are walked: a file of 126,500 lines and nothing to say costs nothing.
  const mapOf = perFile(files, (f) => buildLineMap(f.hunks));
  const redactedOf = perFile(files, linesWithPlaceholder);
  const maxDistance = options.maxDistance ?? 3;
  const placed: AnchoredFinding[] = [];
  const summaryOnly: SummaryFinding[] = [];

  for (const finding of dedupe(findings)) {
    if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[options.minSeverity]) continue;
    const map = mapOf(finding.path);
    const anchored = map ? anchorOne(finding, map, maxDistance) : undefined;
    if (anchored)
      placed.push(
        anchored.suggestion === undefined
          ? anchored
          : withSafeSuggestion(anchored, redactedOf(finding.path)),
      );
    else summaryOnly.push({ ...finding, placement: "outside-diff" });
  }

  placed.sort((a, b) => bySeverity(a, b) || a.path.localeCompare(b.path) || a.line - b.line);
  const inline = placed.slice(0, options.maxComments);
  for (const f of placed.slice(options.maxComments))
    summaryOnly.push({ ...f, placement: "over-cap" });
  summaryOnly.sort(bySeverity);
  return { inline, summaryOnly };
}

/** `build` of a file by its path, computed on first use and kept. */
function perFile<T>(
  files: readonly ReviewFile[],
  build: (file: ReviewFile) => T,
): (path: string) => T | undefined {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const built = new Map<string, T>();
  return (path) => {
    if (built.has(path)) return built.get(path);
    const file = byPath.get(path);
    if (!file) return undefined;
    const value = build(file);
    built.set(path, value);
    return value;
  };
}

function anchorOne(
  finding: Finding,
  map: LineMap,
  maxDistance: number,
): AnchoredFinding | undefined {
  let { line, startLine } = finding;
  if (startLine !== undefined && startLine > line) [startLine, line] = [line, startLine];
  if (startLine === line) startLine = undefined;

  const range = findRange(map, line);
  if (range) {
    if (startLine === undefined) return { ...finding, line, startLine: undefined };
    const startRange = findRange(map, startLine);
    if (startRange?.hunk === range.hunk) return { ...finding, line, startLine };
    // The range crosses a hunk boundary: comment on its last line only, and drop the
    // suggestion, which was written for lines GitHub cannot select together.
    return { ...finding, line, startLine: undefined, suggestion: undefined };
  }
  const nearest = nearestCommentable(map, line, maxDistance);
  if (nearest === undefined) return undefined;
  return {
    ...finding,
    line: nearest,
    startLine: undefined,
    suggestion: undefined,
    movedFrom: finding.line,
  };
}

/** Head lines whose text reached the model with a secret replaced by the placeholder. */
function linesWithPlaceholder(file: ReviewFile): Set<number> {
  const lines = new Set<number>();
  for (const hunk of file.hunks) {
    for (const l of hunk.lines)
      if (l.newLine !== undefined && l.text.includes(REDACTED)) lines.add(l.newLine);
  }
  return lines;
}

/**
 * A suggestion written over redacted text would commit the placeholder in place of the real
 * value when applied; such a suggestion is dropped, the comment kept.
 */
function withSafeSuggestion(
  finding: AnchoredFinding,
  redacted: Set<number> | undefined,
): AnchoredFinding {
  if (finding.suggestion === undefined) return finding;
  const first = finding.startLine ?? finding.line;
  let touchesSecret = finding.suggestion.includes(REDACTED);
  for (let line = first; line <= finding.line && !touchesSecret; line++)
    touchesSecret = redacted?.has(line) === true;
  return touchesSecret ? { ...finding, suggestion: undefined } : finding;
}

/** Drops repeats: same file, line and message (case and spacing ignored). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.path}\0${f.line}\0${f.message.toLowerCase().replace(/\s+/g, " ").trim()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { Anchored, AnchoredFinding, SummaryFinding };
