import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { AnalysisKit } from "../engine/analyze/analyze-file.js";
import { tokenCounter } from "../engine/analyze/count-tokens.js";
import { builtInRules } from "./built-in-rules.js";

const VOCABULARY = "o200k_base.tiktoken";

/**
 * Where the tokenizer's vocabulary is: in the installed package, or beside the GitHub Action's
 * one-file bundle (its build copies it there, as it does the parser's native binding).
 */
function vocabularyPath(): string {
  try {
    return createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${VOCABULARY}`);
  } catch {
    const beside = fileURLToPath(new URL(VOCABULARY, import.meta.url));
    if (existsSync(beside)) return beside;
    throw new Error(`[critic] the tokenizer's vocabulary (${VOCABULARY}) is missing`);
  }
}

/** This process's token counter; its vocabulary is read on the first count. */
export const countTokens = tokenCounter(() => readFileSync(vocabularyPath(), "latin1"));

/** What a file's analysis needs: Critic's built-in rules (compiled once) and the token counter. */
export function analysisKit(): AnalysisKit {
  return { rules: builtInRules(), countTokens };
}
