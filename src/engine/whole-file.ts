import type { ChangedFile } from "../model/types.js";

/**
 * A whole file as a diff that adds every line, so the review core (made for changes) reviews all
 * of it and every line can carry a finding. An empty file has no patch.
 */
export function asAddedFile(path: string, text: string): ChangedFile {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) return { path, status: "added", additions: 0, deletions: 0 };
  return {
    path,
    status: "added",
    additions: lines.length,
    deletions: 0,
    patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
  };
}
