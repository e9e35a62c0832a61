import type { DiffLine, Hunk, LineKind, ReviewFile } from "../../model/types.js";
import type { FileAnalysis } from "./analyze-file.js";

/**
 * A file's diff as a few strings and typed arrays instead of an object per line, for the trip
 * from an analysis thread to the main thread. Structured cloning rebuilds objects one property
 * at a time in native code the main thread cannot interleave with anything else (a
 * 126,500-line hunk held it for about 100 ms); a few arrays clone as copies of memory, and the
 * lines are rebuilt from them in a plain loop.
 */
export type CompactFile = {
  path: string;
  previousPath?: string | undefined;
  status: ReviewFile["status"];
  hunks: Array<{
    oldStart: number;
    oldLines: number;
    newStart: number;
    newLines: number;
    section: string;
    /** How many of the lines below are this hunk's, in order. */
    count: number;
  }>;
  /** One character per line: its kind's code. */
  kinds: string;
  /** Every line's text, one after another; `lengths` cuts them apart. */
  text: string;
  lengths: Uint32Array;
  /** -1 where the line has none. */
  oldLine: Int32Array;
  newLine: Int32Array;
  tokens: Int32Array;
};

const CODE: Record<LineKind, string> = { add: "+", del: "-", context: " " };
const KIND: Record<string, LineKind> = { "+": "add", "-": "del", " ": "context" };

export function compactFile(file: ReviewFile): CompactFile {
  const total = file.hunks.reduce((n, h) => n + h.lines.length, 0);
  const lengths = new Uint32Array(total);
  const oldLine = new Int32Array(total);
  const newLine = new Int32Array(total);
  const tokens = new Int32Array(total);
  const kinds: string[] = [];
  const texts: string[] = [];
  let i = 0;
  for (const hunk of file.hunks)
    for (const line of hunk.lines) {
      kinds.push(CODE[line.kind]);
      texts.push(line.text);
      lengths[i] = line.text.length;
      oldLine[i] = line.oldLine ?? -1;
      newLine[i] = line.newLine ?? -1;
      tokens[i] = line.tokens ?? -1;
      i++;
    }
  return {
    path: file.path,
    previousPath: file.previousPath,
    status: file.status,
    hunks: file.hunks.map(({ lines, ...header }) => ({ ...header, count: lines.length })),
    kinds: kinds.join(""),
    text: texts.join(""),
    lengths,
    oldLine,
    newLine,
    tokens,
  };
}

/**
 * The lines rebuilt, `sliceLines` at a time with a turn of the event loop between slices: a file
 * of 126,500 lines takes tens of milliseconds to rebuild, which must not hold up a webhook.
 */
export async function expandFile(compact: CompactFile, sliceLines = 5_000): Promise<ReviewFile> {
  let i = 0;
  let offset = 0;
  let sinceTurn = 0;
  const hunks: Hunk[] = [];
  for (const { count, ...header } of compact.hunks) {
    const lines: DiffLine[] = [];
    for (let n = 0; n < count; n++, i++) {
      if (++sinceTurn > sliceLines) {
        sinceTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const length = compact.lengths[i] ?? 0;
      const old = compact.oldLine[i] ?? -1;
      const head = compact.newLine[i] ?? -1;
      const tokens = compact.tokens[i] ?? -1;
      lines.push({
        kind: KIND[compact.kinds[i] ?? " "] ?? "context",
        text: compact.text.slice(offset, offset + length),
        oldLine: old < 0 ? undefined : old,
        newLine: head < 0 ? undefined : head,
        tokens: tokens < 0 ? undefined : tokens,
      });
      offset += length;
    }
    hunks.push({ ...header, lines });
  }
  return {
    path: compact.path,
    previousPath: compact.previousPath,
    status: compact.status,
    hunks,
  };
}

/** A file's analysis as it crosses between threads. */
export type CompactAnalysis = Omit<FileAnalysis, "file"> & { file: CompactFile };

export const compactAnalysis = (analysis: FileAnalysis): CompactAnalysis => ({
  ...analysis,
  file: compactFile(analysis.file),
});

export const expandAnalysis = async (analysis: CompactAnalysis): Promise<FileAnalysis> => ({
  ...analysis,
  file: await expandFile(analysis.file),
});
