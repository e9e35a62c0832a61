import { parsePatch } from "../../diff/parse-patch.js";
import type { ChangedFile, DiffLine, Finding, ReviewFile } from "../../model/types.js";
import type { Redactor } from "../../security/redactor.js";
import {
  maskSecret,
  REDACTED,
  redactSpans,
  type SecretSpan,
  scanSecrets,
} from "../../security/scan-secrets.js";
import type { ModelFile } from "../model-port.js";
import { markSanitized } from "./sanitized.js";

export type SanitizedFiles = {
  /** Real paths, redacted lines: what the static checks and the anchoring read. */
  files: ReviewFile[];
  /** The same files, in the same order, as a model may see them: paths masked where they hold a secret. */
  modelFiles: ModelFile[];
  /** One critical finding per credential on an added line (or in a new path), value masked. */
  secretFindings: Finding[];
};

/**
 * Parses each file's patch and removes credentials before any text can leave for a model: secrets
 * on added lines become critical findings; secrets on context or deleted lines are redacted too
 * (they were committed before, but need not be sent anywhere). The operator's own registered
 * secrets are replaced wherever they appear, and a secret inside a file name is masked in place.
 */
export async function sanitizeFiles(
  changed: readonly ChangedFile[],
  secrets: Redactor,
): Promise<SanitizedFiles> {
  const files: ReviewFile[] = [];
  const secretFindings: Finding[] = [];
  for (const file of changed) {
    const one = await sanitizeFileLines(file, secrets);
    files.push(one.file);
    for (const finding of one.secretFindings) secretFindings.push(finding);
  }
  const paths = await sanitizePaths(files, secrets);
  return {
    files,
    modelFiles: paths.modelFiles,
    secretFindings: [...secretFindings, ...paths.findings],
  };
}

/**
 * One file's lines and hunk headers, cleaned; the path is left as it is (see sanitizePaths). Runs
 * wherever the analysis runs, a worker thread included: it needs the registry's values only.
 */
export async function sanitizeFileLines(
  file: ChangedFile,
  secrets: Redactor,
): Promise<{ file: ReviewFile; secretFindings: Finding[] }> {
  const hunks = parsePatch(file.patch ?? "");
  const lines = hunks.flatMap((h) => h.lines);
  const secretFindings = await redactLines(file.path, lines);
  for (const line of lines) line.text = secrets.redact(line.text);
  // git fills a hunk header with the nearest line above it, which can be the secret itself.
  for (const hunk of hunks) {
    if (hunk.section !== "") hunk.section = await sanitizeSection(hunk.section, secrets);
  }
  return {
    file: { path: file.path, previousPath: file.previousPath, status: file.status, hunks },
    secretFindings,
  };
}

/**
 * The files as a model may see them: cleaned lines (from sanitizeFileLines) under paths with
 * their secrets masked, in the same order; a secret in a new file's name is a finding.
 */
export async function sanitizePaths(
  files: readonly ReviewFile[],
  secrets: Redactor,
): Promise<{ modelFiles: ModelFile[]; findings: Finding[] }> {
  const masked = await maskPaths(
    files.flatMap((f) => [f.path, f.previousPath ?? ""]),
    secrets,
  );
  const modelFiles = files.map((file, i) => {
    const path = masked.paths[2 * i] ?? REDACTED;
    const previousPath = file.previousPath === undefined ? undefined : masked.paths[2 * i + 1];
    return markSanitized({ ...file, path, previousPath });
  });
  const findings: Finding[] = [];
  for (const [i, kind] of masked.found) {
    const file = files[i >> 1];
    const first = file?.hunks.flatMap((h) => h.lines).find((l) => l.kind === "add")?.newLine;
    if (!file || i % 2 === 1 || first === undefined) continue;
    findings.push({
      path: file.path,
      line: first,
      severity: "critical",
      category: "security",
      message: `Possible secret in the file name (${kind}). Rename the file, and rotate the secret: file names are as public as the code.`,
      source: "secrets",
    });
  }
  return { modelFiles, findings };
}

const MAX_SECTION_CHARS = 200;

/**
 * A hunk header's context line, cleaned. git cuts it at 80 bytes, which can cut a secret short of
 * what the scanner recognises: a long token it ends on is masked too.
 */
async function sanitizeSection(section: string, secrets: Redactor): Promise<string> {
  // git writes at most 80 bytes there; a hand-made diff may write any length, and the trailing
  // token match below is quadratic on a long run: the rest is no context worth keeping.
  const cut = section.slice(0, MAX_SECTION_CHARS);
  const scanned = secrets.redact(redactSpans(cut, await scanSecrets(cut)));
  return scanned.length >= 60 ? scanned.replace(/[A-Za-z0-9_\-+/=]{12,}$/, REDACTED) : scanned;
}

/**
 * Masks secrets inside paths, all scanned at once (one scan, not one per file). Two paths that
 * mask alike get a number each, so a model's answer still names one file.
 */
async function maskPaths(
  paths: readonly string[],
  secrets: Redactor,
): Promise<{ paths: string[]; found: Map<number, string> }> {
  const text = paths.join("\n");
  const spans = await scanSecrets(text);
  const found = new Map<number, string>();
  const out: string[] = [];
  let offset = 0;
  for (const [i, path] of paths.entries()) {
    const local: SecretSpan[] = [];
    for (const span of spans) {
      if (span.end <= offset || span.start >= offset + path.length) continue;
      const start = Math.max(span.start, offset) - offset;
      const end = Math.min(span.end, offset + path.length) - offset;
      // Spans are widened to whole tokens, which in a path swallows the extension: keep it, the
      // model needs the language more than the secret needs its last characters hidden.
      const extension = /\.[A-Za-z0-9]{1,8}$/.exec(path.slice(start, end))?.[0] ?? "";
      local.push({ kind: span.kind, start, end: end - extension.length });
      found.set(i, span.kind);
    }
    const clean = secrets.redact(redactSpans(path, local));
    if (clean !== path) found.set(i, found.get(i) ?? "operator secret");
    out.push(clean);
    offset += path.length + 1;
  }
  const seen = new Map<string, number>();
  for (const [i, path] of out.entries()) {
    if (!found.has(i) || path === "") continue;
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    if (n > 1) out[i] = path.replace(REDACTED, `[REDACTED-${n}]`);
  }
  return { paths: out, found };
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
  // Spans come sorted and apart, lines in order: one walk over both, never spans × lines.
  let first = 0;
  for (const span of spans) {
    while (
      first < lines.length &&
      (starts[first] ?? 0) + (lines[first]?.text.length ?? 0) < span.start
    )
      first++;
    let flagged = span.quiet === true;
    for (let i = first; i < lines.length; i++) {
      const line = lines[i];
      const lineStart = starts[i] ?? 0;
      if (!line || lineStart > span.end) break;
      const lineEnd = lineStart + line.text.length;
      if (span.end <= lineStart) continue;
      const local = {
        start: Math.max(span.start, lineStart) - lineStart,
        end: Math.min(span.end, lineEnd) - lineStart,
        kind: span.kind,
      };
      const onLine = perLine.get(i);
      if (onLine) onLine.push(local);
      else perLine.set(i, [local]);
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
    }
  }
  for (const [i, local] of perLine) {
    const line = lines[i];
    if (line) line.text = redactSpans(line.text, local);
  }
  return findings;
}
