import type { DiffLine, Hunk, LineKind, ReviewFile } from "../../model/types.js";
import type { FileAnalysis } from "./analyze-file.js";
import { locateLines } from "./locate-lines.js";

/**
 * A file's diff as a few strings and typed arrays instead of an object per line, for the trip
 * from an analysis process to the main thread. Deserializing rebuilds objects one property
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
  /**
   * Where each line's text starts in the patch the file was parsed from, which the main thread
   * holds anyway: its text then needs no second copy. -1 where the line's text is in `text`.
   */
  inPatch: Int32Array;
  /** The texts of the lines not found in the patch, one after another, cut apart by `lengths`. */
  text: string;
  lengths: Uint32Array;
  /** -1 where the line has none. */
  oldLine: Int32Array;
  newLine: Int32Array;
  tokens: Int32Array;
};

const CODE: Record<LineKind, string> = { add: "+", del: "-", context: " " };
const KIND: Record<string, LineKind> = { "+": "add", "-": "del", " ": "context" };

/** The file compacted; with the patch it was parsed from, lines found there carry no text. */
export function compactFile(file: ReviewFile, patch?: string): CompactFile {
  const total = file.hunks.reduce((n, h) => n + h.lines.length, 0);
  const inPatch =
    patch === undefined
      ? new Int32Array(total).fill(-1)
      : locateLines(
          patch,
          file.hunks.flatMap((h) => h.lines),
        );
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
      if ((inPatch[i] ?? -1) < 0) texts.push(line.text);
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
    inPatch,
    text: texts.join(""),
    lengths,
    oldLine,
    newLine,
    tokens,
  };
}

/**
 * Files of at most this many lines keep their lines compact until a stage reads them (below); the
 * rest are rebuilt at once, a slice at a time, since reading them would hold the event loop.
 */
export const LAZY_LINES = 5_000;

/**
 * The file back as a `ReviewFile`. A file of at most `LAZY_LINES` lines comes back with each
 * hunk's `lines` built from the compact arrays whenever it is read, and never kept: most files
 * of a huge pull request are only counted and listed, and 300,000 diff lines held as objects
 * until the review ends took 60 MB of the main thread's heap (read again, a hunk of 5,000 lines
 * is rebuilt in about a millisecond). A larger file is rebuilt now, `sliceLines` at a time with a
 * turn of the event loop between slices: a file of 126,500 lines takes tens of milliseconds to
 * rebuild, which must not hold up a webhook.
 */
export async function expandFile(
  arrived: CompactFile,
  options: {
    /** The patch the file was parsed from (required when `compactFile` was given it). */
    patch?: string | undefined;
    sliceLines?: number | undefined;
  } = {},
): Promise<ReviewFile> {
  const { patch, sliceLines = 5_000 } = options;
  const lazy = arrived.lengths.length <= LAZY_LINES;
  // Typed arrays that came from another process are views into the whole message they came in
  // (Node's deserializer does not copy them): kept as they are, 300 KB of numbers held 22 MB of
  // messages. Copies hold only their own.
  const compact = lazy
    ? {
        ...arrived,
        inPatch: arrived.inPatch.slice(),
        lengths: arrived.lengths.slice(),
        oldLine: arrived.oldLine.slice(),
        newLine: arrived.newLine.slice(),
        tokens: arrived.tokens.slice(),
      }
    : arrived;
  let i = 0;
  let offset = 0;
  let sinceTurn = 0;
  const hunks: Hunk[] = [];
  for (const { count, ...header } of compact.hunks) {
    if (lazy) {
      const hunk = { ...header } as Hunk;
      const [first, from] = [i, offset];
      Object.defineProperty(hunk, "lines", {
        enumerable: true,
        configurable: true,
        get: () => linesOf(compact, patch, first, count, from),
        // A stage that sets its own lines keeps them.
        set: (value: DiffLine[]) =>
          Object.defineProperty(hunk, "lines", { value, writable: true, enumerable: true }),
      });
      for (let n = 0; n < count; n++, i++) offset += ownLength(compact, i);
      hunks.push(hunk);
      continue;
    }
    const lines: DiffLine[] = [];
    for (let n = 0; n < count; ) {
      if (sinceTurn >= sliceLines) {
        sinceTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const part = Math.min(sliceLines - sinceTurn, count - n);
      for (const line of linesOf(compact, patch, i, part, offset)) lines.push(line);
      for (const end = i + part; i < end; i++) offset += ownLength(compact, i);
      n += part;
      sinceTurn += part;
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

/** How much of `text` line `i` takes: its length, or nothing when its text is the patch's. */
const ownLength = (compact: CompactFile, i: number) =>
  (compact.inPatch[i] ?? -1) < 0 ? (compact.lengths[i] ?? 0) : 0;

/**
 * `count` lines from line `first`; the first of them not found in the patch starts at `offset`
 * of the file's `text`.
 */
function linesOf(
  compact: CompactFile,
  patch: string | undefined,
  first: number,
  count: number,
  offset: number,
): DiffLine[] {
  const lines: DiffLine[] = new Array(count);
  for (let n = 0, i = first; n < count; n++, i++) {
    const length = compact.lengths[i] ?? 0;
    const at = compact.inPatch[i] ?? -1;
    if (at >= 0 && patch === undefined)
      throw new Error("[critic] a compact file's lines are in its patch, which was not given");
    let text: string;
    if (at >= 0) text = patch?.slice(at, at + length) ?? "";
    else {
      text = compact.text.slice(offset, offset + length);
      offset += length;
    }
    const old = compact.oldLine[i] ?? -1;
    const head = compact.newLine[i] ?? -1;
    const tokens = compact.tokens[i] ?? -1;
    lines[n] = {
      kind: KIND[compact.kinds[i] ?? " "] ?? "context",
      text,
      oldLine: old < 0 ? undefined : old,
      newLine: head < 0 ? undefined : head,
      tokens: tokens < 0 ? undefined : tokens,
    };
  }
  return lines;
}

/** A file's analysis as it crosses from an analysis process. */
export type CompactAnalysis = Omit<FileAnalysis, "file"> & { file: CompactFile };

/** With the patch the file was parsed from, its lines' texts are left there (see `inPatch`). */
export const compactAnalysis = (analysis: FileAnalysis, patch?: string): CompactAnalysis => ({
  ...analysis,
  file: compactFile(analysis.file, patch),
});

export const expandAnalysis = async (
  analysis: CompactAnalysis,
  patch?: string,
): Promise<FileAnalysis> => ({
  ...analysis,
  file: await expandFile(analysis.file, { patch }),
});
