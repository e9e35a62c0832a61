import type { DiffLine } from "../../model/types.js";

const CODE = { add: "+", del: "-", context: " " } as const;
// Rows looked at for each line: its own, and a hunk header or a "\ No newline" marker before it.
const ROWS_AHEAD = 3;

/**
 * Where each parsed line's text stands in the patch it was parsed from (its offset), or -1 where
 * the patch does not hold it there (a redacted secret). Lines and rows are walked together, each
 * row looked at a bounded number of times, so the time is linear whatever the patch holds. An
 * offset is given only where the patch's characters are the line's exactly, so a row missed costs
 * only the sharing of its text, never its correctness.
 */
export function locateLines(patch: string, lines: Iterable<DiffLine>): Int32Array {
  const found: number[] = [];
  let row = 0;
  for (const line of lines) {
    let at = -1;
    let start = row;
    for (let n = 0; n < ROWS_AHEAD && start < patch.length; n++) {
      const end = rowEnd(patch, start);
      // Every line takes at least one row, so no row is looked at more than ROWS_AHEAD times.
      if (n === 0) row = end + 1;
      const marked = patch[start] === CODE[line.kind];
      if (marked && start + 1 + line.text.length <= end && patch.startsWith(line.text, start + 1))
        at = start + 1;
      // A row of this line's kind is this line (cleaned, where it reads otherwise).
      if (marked) {
        row = end + 1;
        break;
      }
      start = end + 1;
    }
    found.push(at);
  }
  return Int32Array.from(found);
}

function rowEnd(patch: string, start: number): number {
  const end = patch.indexOf("\n", start);
  return end < 0 ? patch.length : end;
}
