import { parsePatch } from "../../diff/parse-patch.js";
import type { PriorFinding } from "../../model/review-result.js";
import type { ChangedFile } from "../../model/types.js";

export type { PriorFinding };

export type Carried = { carried: PriorFinding[]; resolved: PriorFinding[] };

/**
 * Moves earlier findings across a push. A finding in a file the push did not touch stays where it
 * was; in a touched file it follows its line (shifted by the hunks above it), unless the push
 * deleted or rewrote that line: then it counts as resolved. A finding in a file that left the
 * pull request is resolved too.
 */
export function carryFindings(
  prior: readonly PriorFinding[],
  increment: readonly ChangedFile[],
  prPaths: ReadonlySet<string>,
): Carried {
  const byPath = new Map(increment.map((f) => [f.path, f]));
  const carried: PriorFinding[] = [];
  const resolved: PriorFinding[] = [];
  for (const finding of prior) {
    if (!prPaths.has(finding.path)) {
      resolved.push(finding);
      continue;
    }
    const changed = byPath.get(finding.path);
    if (!changed) {
      carried.push(finding);
      continue;
    }
    const moved = mapLine(changed.patch ?? "", finding.line);
    if (moved === undefined) resolved.push(finding);
    else carried.push({ ...finding, line: moved });
  }
  return { carried, resolved };
}

/** Where old line `line` is after the patch, or undefined when the patch removed or rewrote it. */
export function mapLine(patch: string, line: number): number | undefined {
  let shift = 0;
  for (const hunk of parsePatch(patch)) {
    // An empty side names the line *before* the change (`@@ -5,0 +6,2 @@` inserts after line 5).
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart + 1 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? hunk.newStart + 1 : hunk.newStart;
    if (line < oldStart) break;
    if (line < oldStart + hunk.oldLines) {
      const same = hunk.lines.find((l) => l.kind === "context" && l.oldLine === line);
      return same?.newLine;
    }
    shift = newStart + hunk.newLines - (oldStart + hunk.oldLines);
  }
  return line + shift;
}
