import type { DiffLine, Hunk, ReviewFile } from "../../model/types.js";
import {
  renderFileHeader,
  renderHunkHeader,
  renderLineForPrompt,
} from "../../prompt/build-prompt.js";

/** Files (or parts of files) that go to a model together, in one request. */
export type Chunk<F extends ReviewFile = ReviewFile> = { files: F[]; tokens: number };

export type Chunked<F extends ReviewFile = ReviewFile> = {
  chunks: Chunk<F>[];
  overBudget: F[];
  tokens: number;
};

export type ChunkOptions = {
  /** Diff tokens in one request. */
  maxRequestTokens: number;
  /** Diff tokens in the whole review; files past it are skipped for budget. */
  maxReviewTokens: number;
  /** Tokens of a text not counted ahead; `estimateTokens` by default. */
  count?: (text: string) => number;
};

/**
 * What packing counts when no analysis counted it ahead: file and hunk headers (paths and
 * sections, both capped) and any line without its `tokens`. One token per three characters is
 * more than the tokenizer gives for code and prose, so a budget errs on the side of fitting.
 * Packing runs on the main thread, which is spared the tokenizer's tables (some 70 MB).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/**
 * Packs the diff into as few requests as fit: small files share a request, a file larger than one
 * request is split at hunk boundaries (and a single huge hunk at line boundaries; every line keeps
 * its own number, so comments still land right). Files that would take the review past its budget
 * are returned as `overBudget`, whole, never silently dropped. Order is kept.
 */
export function chunkFiles<F extends ReviewFile>(
  files: readonly F[],
  options: ChunkOptions,
): Chunked<F> {
  const count = options.count ?? estimateTokens;
  const chunks: Chunk<F>[] = [];
  const overBudget: F[] = [];
  let current: Chunk<F> = { files: [], tokens: 0 };
  let total = 0;

  for (const file of files) {
    // Cut in pieces, a file costs at least its whole text: one past the budget whole is left out
    // without the line-by-line split (a 126,500-line hunk took 0.4 s of the main thread to split).
    const whole = fileCost(file, count);
    if (total + whole > options.maxReviewTokens) {
      overBudget.push(file);
      continue;
    }
    const pieces = splitFile(file, options.maxRequestTokens, count, whole);
    const cost = pieces.reduce((sum, p) => sum + p.tokens, 0);
    if (total + cost > options.maxReviewTokens) {
      overBudget.push(file);
      continue;
    }
    total += cost;
    for (const piece of pieces) {
      if (current.files.length > 0 && current.tokens + piece.tokens > options.maxRequestTokens) {
        chunks.push(current);
        current = { files: [], tokens: 0 };
      }
      current.files.push(piece.file);
      current.tokens += piece.tokens;
    }
  }
  if (current.files.length > 0) chunks.push(current);
  return { chunks, overBudget, tokens: total };
}

type Piece<F> = { file: F; tokens: number };

/**
 * A file too large for one request, cut at hunk boundaries. A piece keeps everything of its file
 * but the hunks, which are a subset of the file's own: what was sanitized stays sanitized.
 */
function splitFile<F extends ReviewFile>(
  file: F,
  max: number,
  count: (text: string) => number,
  whole: number,
): Piece<F>[] {
  if (whole <= max) return [{ file, tokens: whole }];

  const header = count(renderFileHeader(file));
  const hunks = file.hunks.flatMap((h) => splitHunk(h, max - header, count));
  const pieces: Piece<F>[] = [];
  let part: Hunk[] = [];
  let tokens = header;
  for (const { hunk, tokens: cost } of hunks) {
    if (part.length > 0 && tokens + cost > max) {
      pieces.push({ file: { ...file, hunks: part } as F, tokens });
      part = [];
      tokens = header;
    }
    part.push(hunk);
    tokens += cost;
  }
  if (part.length > 0) pieces.push({ file: { ...file, hunks: part } as F, tokens });
  return pieces;
}

function splitHunk(
  hunk: Hunk,
  max: number,
  count: (text: string) => number,
): Array<{ hunk: Hunk; tokens: number }> {
  const cost = hunkCost(hunk, count);
  if (cost <= max || hunk.lines.length <= 1) return [{ hunk, tokens: cost }];
  const out: Array<{ hunk: Hunk; tokens: number }> = [];
  let from = 0;
  let tokens = 0;
  hunk.lines.forEach((line, i) => {
    const lineCost = lineTokens(line, count);
    if (i > from && tokens + lineCost > max) {
      out.push(slice(hunk, from, i, count));
      from = i;
      tokens = 0;
    }
    tokens += lineCost;
  });
  out.push(slice(hunk, from, hunk.lines.length, count));
  return out;
}

function slice(
  hunk: Hunk,
  from: number,
  to: number,
  count: (text: string) => number,
): { hunk: Hunk; tokens: number } {
  const lines = hunk.lines.slice(from, to);
  const firstOld = lines.find((l) => l.oldLine !== undefined)?.oldLine ?? hunk.oldStart;
  const firstNew = lines.find((l) => l.newLine !== undefined)?.newLine ?? hunk.newStart;
  const part: Hunk = {
    oldStart: firstOld,
    oldLines: lines.filter((l) => l.oldLine !== undefined).length,
    newStart: firstNew,
    newLines: lines.filter((l) => l.newLine !== undefined).length,
    section: hunk.section,
    lines,
  };
  return { hunk: part, tokens: hunkCost(part, count) };
}

/**
 * A file's tokens as the sum of its parts: its header, each hunk's header, each line (counted
 * ahead where an analysis thread did it, so the main thread only adds numbers), a newline each.
 */
export function fileCost(file: ReviewFile, count: (text: string) => number): number {
  return file.hunks.reduce(
    (sum, hunk) => sum + hunkCost(hunk, count),
    count(renderFileHeader(file)),
  );
}

function hunkCost(hunk: Hunk, count: (text: string) => number): number {
  let tokens = count(renderHunkHeader(hunk)) + 1;
  for (const line of hunk.lines) tokens += lineTokens(line, count);
  return tokens;
}

/** A line's tokens with its newline. */
export function lineTokens(line: DiffLine, count: (text: string) => number): number {
  return (line.tokens ?? count(renderLineForPrompt(line))) + 1;
}
