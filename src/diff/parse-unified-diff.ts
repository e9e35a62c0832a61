import type { ChangedFile, FileStatus } from "../model/types.js";

// `diff --git a/x b/x`, or without prefixes when the user set diff.noprefix. Paths with spaces
// are read again from the ---/+++ lines, which are unambiguous.
const DIFF_GIT =
  /^diff --git (?:"?a\/(?<a>.+?)"?) (?:"?b\/(?<b>.+?)"?)$|^diff --git (?<a2>\S+) (?<b2>\S+)$/;
const HUNK = /^@@ -\d+(?:,(?<old>\d+))? \+\d+(?:,(?<new>\d+))? @@/;

type Draft = ChangedFile & { patchLines: string[]; binary: boolean };

/**
 * Splits a multi-file unified diff (`git diff`, also with `diff.noprefix`, or `diff -ru`) into
 * files shaped like GitHub's `pulls/{n}/files` entries, so the CLI and the App share one pipeline.
 * Binary files and pure renames come back without a `patch`, as GitHub returns them. A new file
 * starts at a `diff ` line, or at a `---` line once the previous hunk is complete.
 */
export function parseUnifiedDiff(diff: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let file: Draft | undefined;
  let oldLeft = 0;
  let newLeft = 0;

  const flush = () => {
    if (!file) return;
    const { patchLines, binary, ...rest } = file;
    const patch = patchLines.length > 0 && !binary ? patchLines.join("\n") : undefined;
    files.push({ ...rest, patch });
    file = undefined;
  };
  const begin = (path = ""): Draft => {
    flush();
    oldLeft = 0;
    newLeft = 0;
    file = { path, status: "modified", additions: 0, deletions: 0, patchLines: [], binary: false };
    return file;
  };

  for (const raw of diff.split("\n")) {
    const row = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const inHunk = oldLeft > 0 || newLeft > 0;
    if (!inHunk && row.startsWith("diff ")) {
      const g = DIFF_GIT.exec(row)?.groups;
      const draft = begin(g?.b ?? g?.b2 ?? "");
      const a = g?.a ?? g?.a2;
      if (a !== undefined && a !== draft.path) draft.previousPath = a;
      continue;
    }
    if (!inHunk && row.startsWith("--- ") && (!file || file.patchLines.length > 0)) begin();
    if (!file) continue;

    const hunk = HUNK.exec(row);
    if (hunk) {
      oldLeft = hunk.groups?.old === undefined ? 1 : Number(hunk.groups.old);
      newLeft = hunk.groups?.new === undefined ? 1 : Number(hunk.groups.new);
      file.patchLines.push(raw);
      continue;
    }
    if (inHunk) {
      file.patchLines.push(raw);
      if (row.startsWith("+")) {
        file.additions++;
        newLeft--;
      } else if (row.startsWith("-")) {
        file.deletions++;
        oldLeft--;
      } else if (!row.startsWith("\\")) {
        oldLeft--;
        newLeft--;
      }
      continue;
    }
    if (row.startsWith("\\") && file.patchLines.length > 0) {
      file.patchLines.push(raw);
      continue;
    }
    readHeader(file, row);
  }
  flush();
  for (const f of files) {
    if (f.previousPath !== undefined && f.status === "modified") f.status = "renamed";
  }
  return files.filter((f) => f.path !== "");
}

function readHeader(file: Draft, row: string): void {
  const status: Record<string, FileStatus> = {
    "new file mode": "added",
    "deleted file mode": "removed",
  };
  for (const [prefix, value] of Object.entries(status)) {
    if (row.startsWith(prefix)) file.status = value;
  }
  if (row.startsWith("rename from ")) {
    file.previousPath = row.slice("rename from ".length);
    file.status = "renamed";
  } else if (row.startsWith("rename to ")) {
    file.path = row.slice("rename to ".length);
  } else if (row.startsWith("Binary files ") || row === "GIT binary patch") {
    file.binary = true;
  } else if (row.startsWith("--- ")) {
    const name = stripPrefix(row.slice(4));
    if (name === undefined) file.status = "added";
    else if (file.path === "") file.path = name;
  } else if (row.startsWith("+++ ")) {
    const name = stripPrefix(row.slice(4));
    if (name === undefined) file.status = "removed";
    else file.path = name;
  }
}

/** `a/src/x.ts` → `src/x.ts`; `/dev/null` → undefined. Drops a trailing tab and timestamp. */
function stripPrefix(name: string): string | undefined {
  const path = name.split("\t")[0]?.replace(/^"|"$/g, "") ?? "";
  if (path === "/dev/null") return undefined;
  return path.replace(/^[ab]\//, "");
}
