import type { Redactor } from "../../security/redactor.js";
import { redactSpans, scanSecrets } from "../../security/scan-secrets.js";
import type { PromptConfig } from "../model-port.js";
import { markSanitized, type Sanitized } from "./sanitized.js";

/**
 * The one redaction of free text bound for a model: the operator's registered secrets first
 * (exact values, whatever they look like), then every credential the scanner recognises.
 */
export async function sanitizeText(secrets: Redactor, text: string): Promise<Sanitized<string>> {
  const known = secrets.redact(text);
  return markSanitized(redactSpans(known, await scanSecrets(known)));
}

export async function sanitizePr(
  secrets: Redactor,
  pr: { title: string; body: string },
): Promise<Sanitized<{ title: string; body: string }>> {
  return markSanitized({
    title: await sanitizeText(secrets, pr.title),
    body: await sanitizeText(secrets, pr.body),
  });
}

/** The repository's settings; its `instructions` are the repository's own words, so they are cleaned too. */
export async function sanitizeConfig(
  secrets: Redactor,
  config: PromptConfig,
): Promise<Sanitized<PromptConfig>> {
  return markSanitized({
    instructions: await sanitizeText(secrets, config.instructions),
    language: await sanitizeText(secrets, config.language),
    level: config.level,
    model: config.model,
  });
}

export async function sanitizeThread(
  secrets: Redactor,
  thread: { path: string; line: number | undefined; diffHunk: string; comment: string },
): Promise<Sanitized<typeof thread>> {
  return markSanitized({
    path: await sanitizeText(secrets, thread.path),
    line: thread.line,
    diffHunk: await sanitizeText(secrets, thread.diffHunk),
    comment: await sanitizeText(secrets, thread.comment),
  });
}

/**
 * The repository's instruction files for one request: the repository's own words, read from its
 * base branch, so redacted like its `instructions` (a token pasted into an AGENTS.md leaks all the
 * same).
 */
export async function sanitizeInstructions(
  secrets: Redactor,
  blocks: ReadonlyArray<{ source: string; text: string }>,
): Promise<Sanitized<ReadonlyArray<{ source: string; text: string }>>> {
  const clean = [];
  for (const block of blocks)
    clean.push({
      source: await sanitizeText(secrets, block.source),
      text: await sanitizeText(secrets, block.text),
    });
  return markSanitized(clean);
}
