/**
 * Repository instruction files: the guidance coding agents and review bots read from a
 * repository (AGENTS.md, CLAUDE.md, Cursor's, Copilot's and Gemini's), as Critic reads them from
 * the pull request's base commit, never its head. Pure types and the paths Critic looks at.
 */

/** Which convention a file follows; it decides which changed files the file applies to. */
export type InstructionKind =
  /** `AGENTS.md` or `CLAUDE.md`: the nearest one at or above a file's folder applies to it. */
  | "nearest"
  /** Applies to every file: `.cursorrules`, `.github/copilot-instructions.md`, `.gemini/styleguide.md`, always-on Cursor rules. */
  | "repository"
  /** Applies to the files its globs match: Cursor rules with `globs:`, Copilot's `applyTo:`. */
  | "globs";

export type InstructionFile = {
  /** Its path in the repository, e.g. `services/api/AGENTS.md`. */
  path: string;
  kind: InstructionKind;
  /** For `globs`: the patterns, relative to the repository's root. */
  globs?: readonly string[] | undefined;
  /** The text, front matter removed, cleaned and cut to `MAX_INSTRUCTION_BYTES`. */
  text: string;
  /** The file was longer than `MAX_INSTRUCTION_BYTES` and was cut. */
  truncated: boolean;
};

/** What a repository's instruction files are at one commit,. */
export type InstructionSet = {
  /** The base commit they were read at, when known. */
  oid: string | undefined;
  files: readonly InstructionFile[];
};

/** A `path_instructions` entry of `.github/critic.yml`. */
export type PathInstruction = { path: string; instructions: string };

/** Each instruction file is read up to this many bytes; more is cut (and said so). */
export const MAX_INSTRUCTION_BYTES = 16 * 1024;

/** The nearest-file names, in the order they are preferred in one folder. */
export const NEAREST_NAMES = ["AGENTS.md", "CLAUDE.md"] as const;

/** Files read at fixed paths; each applies to the whole repository. */
export const FIXED_PATHS = [
  ".cursorrules",
  ".github/copilot-instructions.md",
  ".gemini/styleguide.md",
] as const;

/** Folders read as one tree each (one level): Cursor's rules and Copilot's path instructions. */
export const INSTRUCTION_FOLDERS = [
  { dir: ".cursor/rules", suffix: ".mdc" },
  { dir: ".github/instructions", suffix: ".instructions.md" },
] as const;
