import { createHash } from "node:crypto";
import { KNOWN_PROVIDERS } from "../config/env.js";

/** Model providers: their findings share one rule name, so a change of provider keeps the print. */
const MODEL_SOURCES: ReadonlySet<string> = new Set(KNOWN_PROVIDERS.filter((p) => p !== "static"));

export type FingerprintInput = {
  path: string;
  category: string;
  /** The provider id or static rule id that produced the finding. */
  source: string;
  message: string;
  /** The code line the finding is on, when known: it identifies the finding better than words. */
  code?: string | undefined;
};

/**
 * A finding's identity across pushes and reviews: its file, its rule (or "model" for any model's
 * finding) and category, and its code line (whitespace collapsed) or, without one, its message
 * (case, whitespace and numbers folded, since a message names line numbers that move). Not its
 * line number, which moves with every edit above it.
 */
export function fingerprint(input: FingerprintInput): string {
  const rule = ruleOf(input.source);
  const text =
    input.code !== undefined && input.code.trim() !== ""
      ? `code:${input.code.replace(/\s+/g, " ").trim()}`
      : `message:${input.message.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim()}`;
  return createHash("sha256")
    .update([input.path, rule, input.category, text].join("\n"))
    .digest("hex")
    .slice(0, 32);
}

/** The rule a finding counts under: the static rule id, or "model" for any model provider's. */
export function ruleOf(source: string): string {
  return MODEL_SOURCES.has(source) ? "model" : source;
}

/** How much of a finding's path and message the history keeps (and so fingerprints). */
export const FINGERPRINT_BOUNDS = { path: 1_000, message: 2_000 } as const;

/**
 * A finding's fingerprint exactly as the history stores it: path and message redacted and cut to
 * the history's bounds first. The history, the hidden marker on each inline comment and the
 * learnings filter all call this, so the three always agree.
 */
export function findingFingerprint(
  finding: FingerprintInput,
  redact: (text: string) => string = (text) => text,
): string {
  return fingerprint({
    path: bound(redact(finding.path), FINGERPRINT_BOUNDS.path),
    category: finding.category,
    source: finding.source,
    message: bound(redact(finding.message), FINGERPRINT_BOUNDS.message),
    code: finding.code === undefined ? undefined : redact(finding.code),
  });
}

/** Text cut to `max` characters, the cut marked with an ellipsis (as the history stores it). */
export function bound(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
