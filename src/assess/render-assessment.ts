import { SEVERITIES } from "../model/types.js";
import type { AssessmentResult } from "./assess-repository.js";

const LEVEL_NAMES = { junior: "Junior", middle: "Middle", senior: "Senior" } as const;
const SEVERITY_TITLES = { critical: "Critical", warning: "Warnings", suggestion: "Suggestions" };
// A report for people: past this, the table lists the reviewed files and counts the rest.
const MAX_TABLE_ROWS = 200;

/** The assessment as a reviewer's report in Markdown: Found files, Downsides/Comments, Rating, Conclusion. */
export function renderAssessment(result: AssessmentResult): string {
  const out: string[] = [
    `# Review of ${result.repository.name} (${LEVEL_NAMES[result.level]} level)`,
    "",
    `Read at \`${result.repository.ref}\`. Reviewed by ${result.provider}.`,
    "",
    "## Found files",
    "",
  ];
  const reviewed = result.found_files.filter((f) => f.reviewed);
  const skipped = result.found_files.filter((f) => !f.reviewed);
  out.push(
    `${reviewed.length} reviewed, ${skipped.length} not reviewed.`,
    "",
    "| File | Language | Lines | Reviewed |",
    "| --- | --- | --- | --- |",
  );
  const rows = [...reviewed, ...skipped].slice(0, MAX_TABLE_ROWS);
  for (const f of rows)
    out.push(
      `| \`${cell(f.path)}\` | ${f.language} | ${f.lines ?? "—"} | ${f.reviewed ? "yes" : `no: ${cell(f.reason ?? "")}`} |`,
    );
  if (rows.length < result.found_files.length)
    out.push("", `…and ${result.found_files.length - rows.length} more files not reviewed.`);

  out.push("", "## Downsides and comments", "");
  if (result.downsides.length === 0) out.push("No problems were found.");
  for (const severity of SEVERITIES) {
    const items = result.downsides.filter((d) => d.severity === severity);
    if (items.length === 0) continue;
    out.push(`### ${SEVERITY_TITLES[severity]} (${items.length})`, "");
    for (const d of items) {
      const where = d.line === undefined ? d.file : `${d.file}:${d.line}`;
      out.push(`- \`${where}\` (${d.category}) ${indent(d.comment)}`);
    }
    out.push("");
  }

  out.push(
    "",
    `## Rating: ${result.rating}/10`,
    "",
    result.rating_rationale,
    "",
    "## Conclusion",
    "",
    result.conclusion,
  );
  if (result.notes.length > 0) out.push("", "---", "", ...result.notes.map((n) => `> ${n}`));
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function indent(text: string): string {
  return text.trim().replace(/\n/g, "\n  ");
}
