import type { Finding, ReviewFile } from "../../model/types.js";
import type { CompiledRule } from "./compile-rules.js";
import { languageOf } from "./languages.js";
import { conflictMarkers } from "./rules/conflict-markers.js";
import { promptInjection } from "./rules/prompt-injection.js";
import { todoWithoutLink } from "./rules/todo-without-link.js";
import { runAstRules, type SourceFile } from "./run-ast-rules.js";
import { addedLines, type StaticRule } from "./static-rule.js";

// Above this a whole file's syntax tree costs more time than its findings are worth (and the
// engine runs on the event loop): such files are parsed from their hunks.
const MAX_AST_CHARS = 300_000;

/** Language-neutral checks, written as code because they read text, not syntax. */
export const TEXT_RULES: readonly StaticRule[] = [
  conflictMarkers,
  todoWithoutLink,
  promptInjection,
];

export type StaticCheckInput = {
  files: readonly ReviewFile[];
  /** Head versions of the files, by path, where they could be had. */
  headTexts?: ReadonlyMap<string, string> | undefined;
  rules: readonly CompiledRule[];
  /** Rule ids switched off by the repository. */
  disabled?: ReadonlySet<string> | undefined;
  /** Report functions above this cyclomatic complexity; undefined leaves complexity out. */
  complexityThreshold?: number | undefined;
};

/**
 * Runs the text rules and the AST rules over the changed files. Never throws: a failing rule is
 * skipped and named. Files whose head version is unknown are parsed from their hunks, with every
 * line at its own number, so positions still map to the diff.
 */
export function runStaticChecks(input: StaticCheckInput): {
  findings: Finding[];
  failedRules: string[];
  /** What ran, in words for the summary: "conflict markers", "12 syntax rules for python", … */
  families: string[];
} {
  const disabled = input.disabled ?? new Set<string>();
  const findings: Finding[] = [];
  const failedRules = new Set<string>();
  for (const file of input.files) {
    for (const rule of TEXT_RULES) {
      if (disabled.has(rule.id)) continue;
      try {
        for (const finding of rule.check(file)) findings.push(finding);
      } catch {
        failedRules.add(rule.id);
      }
    }
  }
  const sources = input.files.flatMap((file): SourceFile[] => {
    const fetched = input.headTexts?.get(file.path);
    // A head file that disagrees with the diff (stale checkout, another commit) would misplace
    // every finding: the hunks are the safer source then.
    const head =
      fetched !== undefined && fetched.length <= MAX_AST_CHARS && agreesWithDiff(file, fetched)
        ? fetched
        : undefined;
    const text = head ?? textFromHunks(file);
    const language = languageOf(file.path, text.slice(0, text.indexOf("\n") >>> 0));
    if (!language) return [];
    const added = new Set(addedLines(file).map((l) => l.newLine));
    return [
      { path: file.path, language, text, added, basis: head === undefined ? "hunks" : "file" },
    ];
  });
  const enabled = input.rules.filter((r) => !disabled.has(r.id));
  const ast = runAstRules(sources, enabled, {
    complexityThreshold: disabled.has("complexity") ? undefined : input.complexityThreshold,
  });
  for (const id of ast.failedRules) failedRules.add(id);
  return {
    findings: [...findings, ...ast.findings],
    failedRules: [...failedRules],
    families: familiesRun(input, enabled, sources, disabled),
  };
}

const TEXT_RULE_NAMES: Record<string, string> = {
  "conflict-marker": "conflict markers",
  "todo-without-link": "TODOs without a link",
  "prompt-injection": "text steering an AI reviewer",
};

function familiesRun(
  input: StaticCheckInput,
  enabled: readonly CompiledRule[],
  sources: readonly SourceFile[],
  disabled: ReadonlySet<string>,
): string[] {
  if (input.files.length === 0) return [];
  const families = TEXT_RULES.filter((r) => !disabled.has(r.id)).map(
    (r) => TEXT_RULE_NAMES[r.id] ?? r.id,
  );
  const languages = [...new Set(sources.map((s) => s.language))].sort();
  const applied = enabled.filter((r) => r.languages.some((l) => languages.includes(l)));
  if (applied.length > 0)
    families.push(
      `${applied.length} syntax ${applied.length === 1 ? "rule" : "rules"} for ${languages.join(", ")}`,
    );
  if (sources.length > 0 && input.complexityThreshold !== undefined && !disabled.has("complexity"))
    families.push("function complexity");
  return families;
}

/** The head side of the hunks, each line at its own number and blank lines between hunks. */
export function textFromHunks(file: ReviewFile): string {
  const lines: string[] = [];
  for (const hunk of file.hunks) {
    for (const l of hunk.lines) {
      if (l.newLine === undefined) continue;
      while (lines.length < l.newLine - 1) lines.push("");
      lines[l.newLine - 1] = l.text;
    }
  }
  return lines.join("\n");
}

/** True when every head-side line of the hunks reads the same in `text`. */
export function agreesWithDiff(file: ReviewFile, text: string): boolean {
  const lines = text.split("\n");
  return file.hunks.every((h) =>
    h.lines.every(
      (l) => l.newLine === undefined || (lines[l.newLine - 1] ?? "").replace(/\r$/, "") === l.text,
    ),
  );
}
