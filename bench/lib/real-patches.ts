import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { seededRandom } from "../fakes/rng.js";

export type GitHubFile = {
  filename: string;
  status: "added" | "modified";
  additions: number;
  deletions: number;
  changes: number;
  patch: string;
};

type Op = { kind: "ctx" | "add" | "del"; text: string };

/**
 * Source files shipped in node_modules, sorted so every machine reads the same ones: real code
 * (the `openai` package's TypeScript sources first, then other packages' JavaScript) for
 * patches that look like what people push, not synthetic `+x` lines.
 */
export function realSources(limit: number): Array<{ path: string; lines: string[] }> {
  const known = sourcesRead.get(limit);
  if (known) return known;
  const read = readSources(limit);
  sourcesRead.set(limit, read);
  return read;
}

/** A scenario that builds many PRs reads the sources once. */
const sourcesRead = new Map<number, Array<{ path: string; lines: string[] }>>();

function readSources(limit: number): Array<{ path: string; lines: string[] }> {
  const roots = ["node_modules/openai/src", "node_modules/zod/src", "node_modules/probot/lib"];
  const out: Array<{ path: string; lines: string[] }> = [];
  for (const root of roots) {
    for (const file of walk(root)) {
      if (!/\.(ts|js)$/.test(file) || file.endsWith(".d.ts")) continue;
      const lines = readFileSync(file, "utf8").split("\n");
      if (lines.length < 20) continue;
      out.push({ path: relative("node_modules", file), lines });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * A GitHub-style file entry whose patch changes about `changed` lines of `lines` (a real file):
 * runs of added lines, some replacing older versions of themselves (deleted lines), between
 * untouched context, in unified-diff hunks with three lines of context, as `git diff` writes.
 */
export function makeModifiedFile(
  filename: string,
  lines: readonly string[],
  changed: number,
  seed: number,
): GitHubFile {
  const rng = seededRandom(seed);
  const ops: Op[] = [];
  let budget = changed;
  let i = 0;
  while (i < lines.length) {
    const gap = 2 + Math.floor(rng() * 8);
    for (let g = 0; g < gap && i < lines.length; g++)
      ops.push({ kind: "ctx", text: lines[i++] ?? "" });
    if (budget <= 0) continue;
    const run = Math.min(3 + Math.floor(rng() * 10), lines.length - i);
    const replaced = rng() < 0.4;
    const added = lines.slice(i, i + run);
    if (replaced) {
      // The older version: the same lines with an identifier or literal changed.
      for (const text of added) ops.push({ kind: "del", text: mutate(text) });
      budget -= added.length;
    }
    for (const text of added) ops.push({ kind: "add", text });
    budget -= added.length;
    i += run;
  }
  return toFile(filename, "modified", ops);
}

/** A new file: every line added. */
export function makeAddedFile(filename: string, lines: readonly string[]): GitHubFile {
  return toFile(
    filename,
    "added",
    lines.map((text) => ({ kind: "add", text })),
  );
}

function mutate(text: string): string {
  const swapped = text.replace(/\b([a-z][A-Za-z]{3,})\b/, "$1Old");
  return swapped === text ? `${text} // old` : swapped;
}

function toFile(filename: string, status: GitHubFile["status"], ops: readonly Op[]): GitHubFile {
  const hunks: string[] = [];
  const changedAt = ops.flatMap((op, index) => (op.kind === "ctx" ? [] : [index]));
  let oldLine = 1;
  let newLine = 1;
  const position: Array<{ old: number; new: number }> = ops.map((op) => {
    const here = { old: oldLine, new: newLine };
    if (op.kind !== "add") oldLine++;
    if (op.kind !== "del") newLine++;
    return here;
  });
  let start = 0;
  while (start < changedAt.length) {
    let end = start;
    // Changes closer than 2 × 3 context lines share a hunk.
    while (end + 1 < changedAt.length && (changedAt[end + 1] ?? 0) - (changedAt[end] ?? 0) <= 7)
      end++;
    const from = Math.max(0, (changedAt[start] ?? 0) - 3);
    const to = Math.min(ops.length - 1, (changedAt[end] ?? 0) + 3);
    const slice = ops.slice(from, to + 1);
    const oldCount = slice.filter((o) => o.kind !== "add").length;
    const newCount = slice.filter((o) => o.kind !== "del").length;
    const at = position[from] ?? { old: 1, new: 1 };
    const oldStart = oldCount === 0 ? at.old - 1 : at.old;
    const newStart = newCount === 0 ? at.new - 1 : at.new;
    hunks.push(
      `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n${slice
        .map((o) => `${o.kind === "add" ? "+" : o.kind === "del" ? "-" : " "}${o.text}`)
        .join("\n")}`,
    );
    start = end + 1;
  }
  const additions = ops.filter((o) => o.kind === "add").length;
  const deletions = ops.filter((o) => o.kind === "del").length;
  return {
    filename,
    status,
    additions,
    deletions,
    changes: additions + deletions,
    patch: hunks.join("\n"),
  };
}

/**
 * `count` changed files of about `linesPerFile` changed lines each, cut in order from the real
 * sources read as one stream of lines (so short files do not make short patches). Deterministic
 * for a given `seed`.
 */
export function realPullRequest(count: number, linesPerFile: number, seed = 1): GitHubFile[] {
  const sources = realSources(2_000);
  if (sources.length === 0) throw new Error("no sources found in node_modules: run `npm ci` first");
  const stream = sources.flatMap((s) => s.lines.map((line) => ({ line, path: s.path })));
  const files: GitHubFile[] = [];
  // About 2 source lines per changed line: the rest is context between the runs.
  const window = Math.ceil(linesPerFile * 2.2);
  for (let n = 0; files.length < count; n++) {
    const from = (n * window) % Math.max(1, stream.length - window);
    const slice = stream.slice(from, from + window);
    const path = `src/${n}/${slice[0]?.path ?? "file.ts"}`;
    files.push(
      makeModifiedFile(
        path,
        slice.map((l) => l.line),
        linesPerFile,
        seed + n,
      ),
    );
  }
  return files;
}
