import type { Finding } from "../../../model/types.js";
import { addedLines, type StaticRule } from "../static-rule.js";

const OPEN = /^<{7}(?: |$)/;
const CLOSE = /^>{7}(?: |$)/;
const MIDDLE = /^={7}$/;

/**
 * Merge-conflict markers left in a file. A lone `=======` is also a Markdown or reST heading
 * underline, so it only counts when the same change adds an opening or closing marker.
 */
export const conflictMarkers: StaticRule = {
  id: "conflict-marker",
  check(file) {
    const lines = addedLines(file);
    const hasOuter = lines.some((l) => OPEN.test(l.text) || CLOSE.test(l.text));
    if (!hasOuter) return [];
    return lines
      .filter((l) => OPEN.test(l.text) || CLOSE.test(l.text) || MIDDLE.test(l.text))
      .map(
        (l): Finding => ({
          path: file.path,
          line: l.newLine,
          severity: "critical",
          category: "bug",
          message:
            "Merge-conflict marker left in the file: resolve the conflict and remove the marker.",
          source: "conflict-marker",
        }),
      );
  },
};
