import type { DiffLine, Finding, ReviewFile } from "../../model/types.js";

/** A built-in check over the lines a change added. */
export type StaticRule = { id: string; check(file: ReviewFile): Finding[] };

/** The lines this change added, with their head-file numbers. */
export function addedLines(file: ReviewFile): Array<DiffLine & { newLine: number }> {
  return file.hunks.flatMap((h) =>
    h.lines.filter(
      (l): l is DiffLine & { newLine: number } => l.kind === "add" && l.newLine !== undefined,
    ),
  );
}
