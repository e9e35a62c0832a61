import { NEAREST_NAMES } from "./instruction-set.js";

/** At most this many AGENTS.md/CLAUDE.md paths are asked for in one review. */
export const MAX_CANDIDATES = 200;
/** Folders deeper than this are not looked in (a file 40 folders down still gets the upper ones). */
export const MAX_DEPTH = 32;
/** Paths longer than this are not real repository paths; they get the root's files only. */
const MAX_PATH_CHARS = 4_096;

/**
 * The folders of a changed file, root (`""`) first: `services/api/x.ts` → `""`, `services`,
 * `services/api`. A path with an empty, `.` or `..` segment, a backslash or a NUL is not one Git
 * stores; it gets the root alone, so no crafted name reaches outside the folder it names.
 */
export function foldersOf(path: string): string[] {
  if (path.length > MAX_PATH_CHARS || /[\\\0]/.test(path)) return [""];
  const segments = path.split("/").slice(0, -1);
  if (segments.some((s) => s === "" || s === "." || s === "..")) return [""];
  const folders = [""];
  for (let depth = 1; depth <= Math.min(segments.length, MAX_DEPTH); depth++)
    folders.push(segments.slice(0, depth).join("/"));
  return folders;
}

/** `dir` joined with `name`: `AGENTS.md` at the root, `services/api/AGENTS.md` below. */
export function inFolder(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/**
 * The AGENTS.md and CLAUDE.md paths worth asking for, given the changed files: one of each per
 * folder at or above a changed file, at most `max`. When there are more, the folders that cover
 * the most changed files come first (the root covers them all), then the deeper (more specific)
 * ones, then by name: a pull request touching 300 leaf folders still reads the `services/api/`
 * file that governs them. Both names of a folder are kept together.
 */
export function candidatePaths(changed: readonly string[], max = MAX_CANDIDATES): string[] {
  const covers = new Map<string, number>();
  for (const path of new Set(changed))
    for (const dir of foldersOf(path)) covers.set(dir, (covers.get(dir) ?? 0) + 1);
  // Counted once per folder, not in every comparison of the sort.
  const depths = new Map<string, number>();
  for (const dir of covers.keys()) depths.set(dir, dir === "" ? 0 : dir.split("/").length);
  const folders = [...covers.keys()].sort(
    (a, b) =>
      (covers.get(b) ?? 0) - (covers.get(a) ?? 0) ||
      (depths.get(b) ?? 0) - (depths.get(a) ?? 0) ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
  const perFolder = NEAREST_NAMES.length;
  return folders
    .slice(0, Math.floor(Math.max(0, max) / perFolder))
    .flatMap((dir) => NEAREST_NAMES.map((name) => inFolder(dir, name)));
}
