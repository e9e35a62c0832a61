import picomatch from "picomatch";
import { foldersOf, inFolder } from "./candidate-paths.js";
import {
  type InstructionFile,
  type InstructionSet,
  NEAREST_NAMES,
  type PathInstruction,
} from "./instruction-set.js";

/** An instruction that applies to a file, and how specific it is to it. */
export type AppliedInstruction = {
  /** Where it comes from: a path, or `.github/critic.yml path_instructions[0]`. */
  source: string;
  /** Which files it is for, in words (`files under services/api/`). */
  scope: string;
  text: string;
  truncated: boolean;
  /**
   * Most specific first: 4 the configuration's `path_instructions`, 3 an AGENTS.md/CLAUDE.md
   * below the root, 2 a file with globs, 1 the root's AGENTS.md/CLAUDE.md, 0 the other files for
   * the whole repository.
   */
  rank: number;
  /** The folder depth of a nearest file; deeper is more specific. */
  depth: number;
};

/** Patterns longer than this, or more of them than `MAX_GLOBS` in one file, are not matched. */
const MAX_GLOB_CHARS = 500;
const MAX_GLOBS = 50;

/**
 * Which instructions apply to which changed file, compiled once per review:
 * - AGENTS.md: the nearest one at or above the file's folder; the root's applies when no nearer
 *   one exists. CLAUDE.md follows the same rule on its own (Claude Code reads a folder's
 *   CLAUDE.md for the files below it), so a folder may give both;
 * - Cursor rules with `globs`, Copilot's `*.instructions.md` with `applyTo`, and the
 *   configuration's `path_instructions`: the files their globs match (a glob without a `/`
 *   matches the file's name at any depth, as `*.ts` does in both tools);
 * - `.cursorrules`, `.github/copilot-instructions.md`, `.gemini/styleguide.md`, always-on Cursor
 *   rules: every file.
 * The same text from two files (a CLAUDE.md that copies AGENTS.md) is given once.
 */
export function compileInstructions(
  set: InstructionSet,
  pathInstructions: readonly PathInstruction[] = [],
): (path: string) => AppliedInstruction[] {
  const nearest = new Map<string, InstructionFile>();
  const everywhere: AppliedInstruction[] = [];
  const globbed: Array<{ match: (path: string) => boolean; applied: AppliedInstruction }> = [];
  for (const file of set.files) {
    if (file.kind === "nearest") nearest.set(file.path, file);
    else if (file.kind === "repository")
      everywhere.push({ ...common(file), scope: "all files", rank: 0, depth: 0 });
    else {
      const match = matcher(file.globs ?? []);
      if (match)
        globbed.push({
          match,
          applied: {
            ...common(file),
            scope: `files matching ${(file.globs ?? []).join(", ")}`,
            rank: 2,
            depth: 0,
          },
        });
    }
  }
  pathInstructions.forEach((entry, i) => {
    const match = matcher([entry.path]);
    const text = entry.instructions.trim();
    if (match && text !== "")
      globbed.push({
        match,
        applied: {
          source: `.github/critic.yml path_instructions[${i}]`,
          scope: `files matching ${entry.path}`,
          text,
          truncated: false,
          rank: 4,
          depth: 0,
        },
      });
  });

  return (path) => {
    const applied: AppliedInstruction[] = [];
    const folders = foldersOf(path);
    for (const name of NEAREST_NAMES) {
      for (let depth = folders.length - 1; depth >= 0; depth--) {
        const dir = folders[depth] ?? "";
        const file = nearest.get(inFolder(dir, name));
        if (!file) continue;
        applied.push({
          ...common(file),
          scope: dir === "" ? "all files" : `files under ${dir}/`,
          rank: dir === "" ? 1 : 3,
          depth,
        });
        break;
      }
    }
    for (const g of globbed) if (g.match(path)) applied.push(g.applied);
    applied.push(...everywhere);
    return mostSpecificFirst(applied);
  };
}

/** Sorted most specific first, one of each text. */
export function mostSpecificFirst(applied: readonly AppliedInstruction[]): AppliedInstruction[] {
  const seen = new Set<string>();
  return [...applied]
    .sort(
      (a, b) =>
        b.rank - a.rank ||
        b.depth - a.depth ||
        (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
    )
    .filter((a) => {
      if (seen.has(a.text)) return false;
      seen.add(a.text);
      return true;
    });
}

function common(file: InstructionFile) {
  return { source: file.path, text: file.text, truncated: file.truncated };
}

/** A matcher for a file's globs, or undefined when none is usable. */
function matcher(globs: readonly string[]): ((path: string) => boolean) | undefined {
  const usable = globs
    .slice(0, MAX_GLOBS)
    .filter((g) => g.length > 0 && g.length <= MAX_GLOB_CHARS)
    .map((g) => g.replace(/^\.?\//, ""));
  if (usable.length === 0) return undefined;
  // Picomatch's own `basename` option stops `web/**` from matching `web/y.ts`: two matchers.
  const byName = usable.filter((g) => !g.includes("/"));
  const byPath = usable.filter((g) => g.includes("/"));
  try {
    const name = byName.length > 0 ? picomatch(byName, { dot: true }) : undefined;
    const path = byPath.length > 0 ? picomatch(byPath, { dot: true }) : undefined;
    return (p) => path?.(p) === true || name?.(p.slice(p.lastIndexOf("/") + 1)) === true;
  } catch {
    return undefined;
  }
}
