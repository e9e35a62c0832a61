import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

// Untrusted diffs may contain "<|endoftext|>": count it as text, never as a special token.
const countPiece = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

// The tokenizer is quadratic in the length of one unbroken word (a 128 KB word took 13 s), so text
// is counted in pieces of at most this many characters, cut at whitespace where there is some.
// The count is off by at most a token per cut, which a budget does not notice.
const MAX_PIECE = 2_000;

/** Tokens of `text`, in time linear in its length whatever it holds. */
export function countText(text: string): number {
  if (text.length <= MAX_PIECE) return countPiece(text);
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + MAX_PIECE);
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      const newline = text.lastIndexOf("\n", end);
      const cut = Math.max(space, newline);
      if (cut > start + MAX_PIECE / 2) end = cut;
    }
    total += countPiece(text.slice(start, end));
    start = end;
  }
  return total;
}
