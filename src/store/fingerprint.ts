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
  const rule = MODEL_SOURCES.has(input.source) ? "model" : input.source;
  const text =
    input.code !== undefined && input.code.trim() !== ""
      ? `code:${input.code.replace(/\s+/g, " ").trim()}`
      : `message:${input.message.toLowerCase().replace(/\d+/g, "#").replace(/\s+/g, " ").trim()}`;
  return createHash("sha256")
    .update([input.path, rule, input.category, text].join("\n"))
    .digest("hex")
    .slice(0, 32);
}
