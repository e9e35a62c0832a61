import type { Finding } from "../../../model/types.js";
import { addedLines, type StaticRule } from "../static-rule.js";

// A TODO/FIXME in a comment (after //, #, /*, *, --, <!--, ;).
const TODO = /(?:^|\s)(?:\/\/|#|\/\*|\*|--|<!--|;)\s*(?:TODO|FIXME)\b/;
// Something that says where the work is tracked: a URL, #123, or an ABC-123 ticket key.
const LINK = /https?:\/\/|(?:^|[\s(])#\d+\b|\b[A-Z][A-Z0-9]+-\d+\b/;

/** A TODO or FIXME added without saying where it is tracked tends to stay forever. */
export const todoWithoutLink: StaticRule = {
  id: "todo-without-link",
  check(file) {
    return addedLines(file)
      .filter((l) => TODO.test(l.text) && !LINK.test(l.text))
      .map(
        (l): Finding => ({
          path: file.path,
          line: l.newLine,
          severity: "suggestion",
          category: "maintainability",
          message:
            "TODO added without a link to an issue. Link the issue that tracks it (a URL, #123 or ABC-123), or do it now.",
          source: "todo-without-link",
        }),
      );
  },
};
