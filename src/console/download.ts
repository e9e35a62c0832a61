import type { SubmissionView } from "./console-api-types.js";

// Text from a review (a model's, a file's name) must not close a Markdown code span or start markup.
const inline = (text: string) => text.replace(/[\r\n]+/g, " ").replace(/([\\`*_[\]<>|])/g, "\\$1");

/** A finished submission as Markdown: rating, conclusion, then each finding with its place. */
export function markdownOf(view: SubmissionView): string {
  const result = view.result;
  const lines = [`# Critic review: ${inline(view.title)}`, ""];
  if (!result) return [...lines, `Status: ${view.status}`, ""].join("\n");
  lines.push(`**Rating: ${result.rating}/10**`, "", inline(result.conclusion), "");
  if (result.rating_rationale) lines.push(inline(result.rating_rationale), "");
  lines.push("## Findings", "");
  if (result.findings.length === 0) lines.push("None.", "");
  for (const f of result.findings) {
    const place = `${f.path ? inline(f.path) : "line"}${f.line > 0 ? `${f.path ? ":" : " "}${f.line}` : ""}`;
    lines.push(`- **${f.severity}** (${f.category}) ${place}: ${inline(f.message)}`);
  }
  lines.push("");
  if (result.found_files?.length) {
    lines.push("## Files", "");
    for (const file of result.found_files)
      lines.push(`- ${inline(file.path)}${file.note ? `: ${inline(file.note)}` : ""}`);
    lines.push("");
  }
  if (result.notes.length) {
    lines.push("## Notes", "");
    for (const note of result.notes) lines.push(`- ${inline(note)}`);
    lines.push("");
  }
  lines.push(
    `Reviewed by ${inline(result.provider)}${result.cost_usd === null ? "" : `, $${result.cost_usd.toFixed(4)}`}.`,
    "",
  );
  return lines.join("\n");
}
