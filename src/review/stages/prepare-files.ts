import { maskSecret, redactSpans, scanSecrets } from "../../security/scan-secrets.js";
import { parsePatch } from "../diff/parse-patch.js";
import type { ChangedFile, DiffLine, Finding, ReviewFile } from "../types.js";

export type PreparedFiles = {
  files: ReviewFile[];
  /** One critical finding per credential on an added line, value masked. */
  secretFindings: Finding[];
};

/**
 * Parses each reviewed file's patch and removes credentials from every line before any text can
 * leave for a model: secrets on added lines become critical findings; secrets on context or
 * deleted lines are redacted too (they were committed before, but need not be sent anywhere).
 */
export async function prepareFiles(changed: readonly ChangedFile[]): Promise<PreparedFiles> {
  const files: ReviewFile[] = [];
  const secretFindings: Finding[] = [];
  for (const file of changed) {
    const hunks = parsePatch(file.patch ?? "");
    const lines = hunks.flatMap((h) => h.lines);
    secretFindings.push(...(await redactLines(file.path, lines)));
    // git fills a hunk header with the nearest line above it, which can be the secret itself.
    for (const hunk of hunks) {
      if (hunk.section !== "")
        hunk.section = redactSpans(hunk.section, await scanSecrets(hunk.section));
    }
    files.push({ path: file.path, previousPath: file.previousPath, status: file.status, hunks });
  }
  return { files, secretFindings };
}

async function redactLines(path: string, lines: DiffLine[]): Promise<Finding[]> {
  const text = lines.map((l) => l.text).join("\n");
  const spans = await scanSecrets(text);
  if (spans.length === 0) return [];

  const starts: number[] = [];
  let offset = 0;
  for (const l of lines) {
    starts.push(offset);
    offset += l.text.length + 1;
  }
  const findings: Finding[] = [];
  const perLine = new Map<number, { start: number; end: number; kind: string }[]>();
  for (const span of spans) {
    let flagged = false;
    lines.forEach((line, i) => {
      const lineStart = starts[i] ?? 0;
      const lineEnd = lineStart + line.text.length;
      if (span.end <= lineStart || span.start > lineEnd) return;
      const local = {
        start: Math.max(span.start, lineStart) - lineStart,
        end: Math.min(span.end, lineEnd) - lineStart,
        kind: span.kind,
      };
      perLine.set(i, [...(perLine.get(i) ?? []), local]);
      if (!flagged && line.kind === "add" && line.newLine !== undefined) {
        flagged = true;
        findings.push({
          path,
          line: line.newLine,
          severity: "critical",
          category: "security",
          message: `Possible secret committed (${span.kind}): \`${maskSecret(text.slice(span.start, span.end))}\`. Remove it from the change, rotate it, and load it from a secret store or environment variable instead.`,
          source: "secrets",
        });
      }
    });
  }
  for (const [i, local] of perLine) {
    const line = lines[i];
    if (line) line.text = redactSpans(line.text, local);
  }
  return findings;
}
