import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { renderFileForPrompt } from "../prompt/build-prompt.js";
import type { ReviewFile } from "../types.js";

export type Budgeted = { fitting: ReviewFile[]; overBudget: ReviewFile[]; tokens: number };

/**
 * Keeps files, in the order given, while their rendered diff fits `maxTokens`; the rest are
 * reported as skipped for budget rather than silently dropped. A file that alone is larger than
 * the budget is skipped while smaller files after it still get their turn.
 */
export function fitBudget(files: readonly ReviewFile[], maxTokens: number): Budgeted {
  const fitting: ReviewFile[] = [];
  const overBudget: ReviewFile[] = [];
  let tokens = 0;
  for (const file of files) {
    // Untrusted diffs may contain "<|endoftext|>"; count it as text, never as a special token.
    const cost = countTokens(renderFileForPrompt(file), { disallowedSpecial: new Set() });
    if (tokens + cost <= maxTokens) {
      fitting.push(file);
      tokens += cost;
    } else {
      overBudget.push(file);
    }
  }
  return { fitting, overBudget, tokens };
}
