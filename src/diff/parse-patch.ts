import type { DiffLine, Hunk } from "../model/types.js";

// `@@ -a[,b] +c[,d] @@ section`: the counts are optional and default to 1
// (https://www.gnu.org/software/diffutils/manual/html_node/Detailed-Unified.html).
const HUNK_HEADER =
  /^@@ -(?<oldStart>\d+)(?:,(?<oldLines>\d+))? \+(?<newStart>\d+)(?:,(?<newLines>\d+))? @@ ?(?<section>.*)$/;

/**
 * Parses one file's unified-diff patch (as in `pulls/{n}/files` → `patch`) into hunks whose lines
 * carry base and head line numbers. Tolerant: text before the first hunk header (git's file
 * headers) is skipped, `\ No newline at end of file` is dropped, CRLF endings are stripped, and
 * lines past a hunk's declared counts are ignored instead of shifting every later number.
 */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;

  for (const raw of patch.split("\n")) {
    const row = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const header = HUNK_HEADER.exec(row);
    if (header?.groups) {
      const g = header.groups;
      current = {
        oldStart: Number(g.oldStart),
        oldLines: g.oldLines === undefined ? 1 : Number(g.oldLines),
        newStart: Number(g.newStart),
        newLines: g.newLines === undefined ? 1 : Number(g.newLines),
        section: g.section ?? "",
        lines: [],
      };
      hunks.push(current);
      oldLine = current.oldStart;
      newLine = current.newStart;
      oldLeft = current.oldLines;
      newLeft = current.newLines;
      continue;
    }
    if (!current || (oldLeft <= 0 && newLeft <= 0)) continue;
    if (row.startsWith("\\")) continue;

    const marker = row[0];
    const text = row.slice(1);
    let line: DiffLine | undefined;
    if (marker === "+" && newLeft > 0) {
      line = { kind: "add", text, newLine: newLine++ };
      newLeft--;
    } else if (marker === "-" && oldLeft > 0) {
      line = { kind: "del", text, oldLine: oldLine++ };
      oldLeft--;
    } else if ((marker === " " || row === "") && oldLeft > 0 && newLeft > 0) {
      // Some tools strip the single space of an empty context line; treat it as context.
      line = { kind: "context", text, oldLine: oldLine++, newLine: newLine++ };
      oldLeft--;
      newLeft--;
    }
    if (line) current.lines.push(line);
  }
  return hunks;
}
