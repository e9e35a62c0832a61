/** Shared shapes of the review pipeline. Pure data: no clients, no I/O. */

export type Severity = "critical" | "warning" | "suggestion";
export const SEVERITIES = [
  "critical",
  "warning",
  "suggestion",
] as const satisfies readonly Severity[];

export type Category = "bug" | "security" | "performance" | "maintainability" | "style" | "tests";
export const CATEGORIES = [
  "bug",
  "security",
  "performance",
  "maintainability",
  "style",
  "tests",
] as const satisfies readonly Category[];

/** The status GitHub gives a file in `pulls/{n}/files`. */
export type FileStatus =
  | "added"
  | "removed"
  | "modified"
  | "renamed"
  | "copied"
  | "changed"
  | "unchanged";

/** One changed file as GitHub (or `git diff`) describes it. `patch` is absent for binary and huge files. */
export type ChangedFile = {
  path: string;
  previousPath?: string | undefined;
  status: FileStatus;
  additions: number;
  deletions: number;
  patch?: string | undefined;
};

export type LineKind = "add" | "del" | "context";

export type DiffLine = {
  kind: LineKind;
  text: string;
  /** Line number in the base file (deleted and context lines). */
  oldLine?: number | undefined;
  /** Line number in the head file (added and context lines). */
  newLine?: number | undefined;
  /** Prompt tokens of the line as a model sees it, counted ahead (in an analysis thread). */
  tokens?: number | undefined;
};

export type Hunk = {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@`, usually the enclosing function. */
  section: string;
  lines: DiffLine[];
};

/** A problem found in the change, before it is anchored to a line GitHub accepts. */
export type Finding = {
  path: string;
  /** Last line of the range, head-file numbering (RIGHT side). */
  line: number;
  /** First line of a multi-line range; absent for a single line. */
  startLine?: number | undefined;
  severity: Severity;
  category: Category;
  message: string;
  /** Replacement text for exactly `startLine..line`; becomes a ```suggestion block. */
  suggestion?: string | undefined;
  /** Which engine produced it: a provider id or a static rule id. */
  source: string;
  /** For static findings: parsed from the whole head file, or only from the diff's hunks. */
  basis?: "file" | "hunks" | undefined;
};

export type TokenUsage = {
  /** Every input token, cached ones included (as OpenAI's `prompt_tokens` and Gemini's `promptTokenCount` count them). */
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those the provider served from its prompt cache, where it says so. */
  cachedInputTokens?: number | undefined;
};

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, suggestion: 2 };

/** Most severe first; stable for equal severities. */
export function bySeverity(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

/** A changed file ready for review: parsed hunks (secrets already redacted) and its line map. */
export type ReviewFile = {
  path: string;
  previousPath?: string | undefined;
  status: FileStatus;
  hunks: Hunk[];
};
