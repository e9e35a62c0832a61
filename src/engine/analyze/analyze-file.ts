import type { ChangedFile, Finding, ReviewFile } from "../../model/types.js";
import { renderLineForPrompt } from "../../prompt/build-prompt.js";
import { createRedactor } from "../../security/redactor.js";
import { sanitizeFileLines } from "../sanitize/sanitize-files.js";
import { type CompiledRule, compileRules, type RuleSource } from "../static/compile-rules.js";
import { runStaticChecks } from "../static/run-static-checks.js";
import type { CountTokens } from "./count-tokens.js";

/** One file's analysis, as data that crosses to an analysis process and back. */
export type FileTask = {
  file: ChangedFile;
  /** Reviewed files get the static checks; the others are scanned for secrets only. */
  review: boolean;
  /** Count each line's tokens for packing (reviewed files always are): a question's context. */
  countTokens?: boolean | undefined;
  /** The head version, when it could be fetched (a real syntax tree instead of the hunks). */
  headText?: string | undefined;
  /** The operator's registered secrets, to replace wherever they appear. */
  secrets: readonly string[];
  /** The repository's own rules (compiled once per process). */
  ruleSources: readonly RuleSource[];
  disabled: readonly string[];
  complexityThreshold?: number | undefined;
};

/** What every file's analysis uses, loaded once per process. */
export type AnalysisKit = {
  /** Critic's built-in rules, compiled. */
  rules: readonly CompiledRule[];
  countTokens: CountTokens;
};

export type FileAnalysis = {
  /** Lines and hunk headers cleaned; the path as it is. */
  file: ReviewFile;
  secretFindings: Finding[];
  staticFindings: Finding[];
  failedRules: string[];
  families: string[];
};

/**
 * The CPU work of one file: secret scanning and redaction, then, for a reviewed file, the static
 * checks (syntax trees, complexity). Pure, so it runs in the main thread or in a worker alike.
 */
export async function analyzeFile(task: FileTask, kit: AnalysisKit): Promise<FileAnalysis> {
  const { file, secretFindings } = await sanitizeFileLines(task.file, createRedactor(task.secrets));
  // Counted here, of the cleaned text, so packing on the main thread only adds numbers.
  if (task.review || task.countTokens)
    for (const hunk of file.hunks)
      for (const line of hunk.lines) line.tokens = kit.countTokens(renderLineForPrompt(line));
  if (!task.review)
    return { file, secretFindings, staticFindings: [], failedRules: [], families: [] };
  const checks = runStaticChecks({
    files: [file],
    headTexts: task.headText === undefined ? undefined : new Map([[file.path, task.headText]]),
    rules: [...kit.rules, ...repositoryRules(task.ruleSources)],
    disabled: new Set(task.disabled),
    complexityThreshold: task.complexityThreshold,
  });
  return {
    file,
    secretFindings,
    staticFindings: checks.findings,
    failedRules: checks.failedRules,
    families: checks.families,
  };
}

// A review's files share its repository's rules: compiled once, not once per file.
let compiled: { key: string; rules: CompiledRule[] } | undefined;

function repositoryRules(sources: readonly RuleSource[]): CompiledRule[] {
  if (sources.length === 0) return [];
  const key = JSON.stringify(sources);
  if (compiled?.key !== key) compiled = { key, rules: compileRules(sources).rules };
  return compiled.rules;
}
