import type { ChangedFile, FileStatus } from "../types.js";

const DIFF_GIT = /^diff --git (?:"?a\/(?<a>.+?)"?) (?:"?b\/(?<b>.+?)"?)$/;

/**
 * Splits a multi-file unified diff (the output of `git diff`) into files shaped like GitHub's
 * `pulls/{n}/files` entries, so the CLI and the App share one pipeline. Binary files and pure
 * renames come back without a `patch`, as GitHub returns them.
 */
export function parseUnifiedDiff(diff: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let file: (ChangedFile & { patchLines: string[]; binary: boolean }) | undefined;

  const flush = () => {
    if (!file) return;
    const { patchLines, binary, ...rest } = file;
    const patch = patchLines.length > 0 && !binary ? patchLines.join("\n") : undefined;
    files.push({ ...rest, patch });
    file = undefined;
  };

  for (const raw of diff.split("\n")) {
    const row = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const start = DIFF_GIT.exec(row);
    if (start?.groups) {
      flush();
      file = {
        path: start.groups.b ?? "",
        status: "modified",
        additions: 0,
        deletions: 0,
        patchLines: [],
        binary: false,
      };
      if (start.groups.a !== start.groups.b) file.previousPath = start.groups.a;
      continue;
    }
    if (row.startsWith("--- ") && !file) {
      // A plain `diff -u` without git's header: start a file from the ---/+++ pair.
      file = {
        path: "",
        status: "modified",
        additions: 0,
        deletions: 0,
        patchLines: [],
        binary: false,
      };
    }
    if (!file) continue;
    if (file.patchLines.length === 0) {
      if (readHeader(file, row)) continue;
    }
    if (row.startsWith("@@") || file.patchLines.length > 0) {
      file.patchLines.push(raw);
      if (row.startsWith("+")) file.additions++;
      else if (row.startsWith("-")) file.deletions++;
    }
  }
  flush();
  for (const f of files) {
    if (f.patch !== undefined) f.patch = trimTrailingNewline(f.patch);
    if (f.previousPath !== undefined && f.status === "modified") f.status = "renamed";
  }
  return files.filter((f) => f.path !== "");
}

function readHeader(file: ChangedFile & { binary: boolean }, row: string): boolean {
  const status: Record<string, FileStatus> = {
    "new file mode": "added",
    "deleted file mode": "removed",
  };
  for (const [prefix, value] of Object.entries(status)) {
    if (row.startsWith(prefix)) {
      file.status = value;
      return true;
    }
  }
  if (row.startsWith("rename from ")) {
    file.previousPath = row.slice("rename from ".length);
    file.status = "renamed";
    return true;
  }
  if (row.startsWith("rename to ")) {
    file.path = row.slice("rename to ".length);
    return true;
  }
  if (row.startsWith("Binary files ") || row === "GIT binary patch") {
    file.binary = true;
    return true;
  }
  if (row.startsWith("--- ")) {
    const name = stripPrefix(row.slice(4));
    if (name === undefined) file.status = "added";
    else if (file.path === "") file.path = name;
    return true;
  }
  if (row.startsWith("+++ ")) {
    const name = stripPrefix(row.slice(4));
    if (name === undefined) file.status = "removed";
    else file.path = name;
    return true;
  }
  return !row.startsWith("@@");
}

/** `a/src/x.ts` → `src/x.ts`; `/dev/null` → undefined. Drops a trailing tab and timestamp. */
function stripPrefix(name: string): string | undefined {
  const path = name.split("\t")[0]?.replace(/^"|"$/g, "") ?? "";
  if (path === "/dev/null") return undefined;
  return path.replace(/^[ab]\//, "");
}

function trimTrailingNewline(patch: string): string {
  return patch.endsWith("\n") ? patch.slice(0, -1) : patch;
}
