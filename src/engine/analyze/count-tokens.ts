import { GptEncoding } from "gpt-tokenizer/GptEncoding";

/** Tokens of a text as the model counts them (o200k). */
export type CountTokens = (text: string) => number;

/**
 * The o200k vocabulary (one token a line: its bytes in base64, then its rank) as the tokenizer
 * takes it: the token's text where its bytes are UTF-8, else the bytes. Built from the package's
 * data file rather than its 2.4 MB JavaScript module: compiling that module left an analysis
 * process 25 MB larger, with the same table in the end.
 */
export function parseRanks(text: string): Array<string | number[]> {
  const ranks: Array<string | number[]> = [];
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const space = text.indexOf(" ", start);
    if (space > start && space < end) {
      const bytes = Buffer.from(text.slice(start, space), "base64");
      ranks[Number(text.slice(space + 1, end))] = asText(utf8, bytes) ?? [...bytes];
    }
    start = end + 1;
  }
  return ranks;
}

/** The bytes as text when they are UTF-8 that reads back the same (a lone BOM does not). */
function asText(utf8: InstanceType<typeof TextDecoder>, bytes: Buffer): string | undefined {
  try {
    const text = utf8.decode(bytes);
    return Buffer.byteLength(text) === bytes.length ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token counter over the vocabulary `readVocabulary` gives (the text of o200k's `.tiktoken`
 * file), read on the first count: a process that counts nothing never holds the table.
 */
export function tokenCounter(readVocabulary: () => string): CountTokens {
  let encoding: GptEncoding | undefined;
  const countPiece = (text: string) => {
    encoding ??= GptEncoding.getEncodingApi("o200k_base", () => parseRanks(readVocabulary()));
    // Untrusted diffs may contain "<|endoftext|>": count it as text, never as a special token.
    return encoding.countTokens(text, { disallowedSpecial: new Set() });
  };
  return (text) => countInPieces(text, countPiece);
}

// The tokenizer is quadratic in the length of one unbroken word (a 128 KB word took 13 s), so text
// is counted in pieces of at most this many characters, cut at whitespace where there is some.
// The count is off by at most a token per cut, which a budget does not notice.
const MAX_PIECE = 2_000;

/** Tokens of `text`, in time linear in its length whatever it holds. */
function countInPieces(text: string, countPiece: CountTokens): number {
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
