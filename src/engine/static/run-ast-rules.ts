import { parse as parseAst, type SgNode } from "@ast-grep/napi";
import type { Finding } from "../../model/types.js";
import type { CompiledRule } from "./compile-rules.js";
import { complexityFindings } from "./complexity.js";
import { type Bindings, findBindings } from "./find-bindings.js";
import { astGrepLanguage } from "./languages.js";
import { matchSink } from "./match-sink.js";

/** A changed file as the engine parses it: the whole head version, or its hunks when that was not to be had. */
export type SourceFile = {
  path: string;
  language: string;
  text: string;
  /** Head-file lines the change added: only findings touching them are reported. */
  added: ReadonlySet<number>;
  basis: "file" | "hunks";
};

/**
 * Runs the rules of each file's language over its syntax tree and keeps the matches that touch
 * an added line: code the PR did not write is not the PR's to fix. A rule with a `fix` yields a
 * suggestion that replaces exactly the lines of the match. A rule that throws is skipped and named.
 */
export function runAstRules(
  files: readonly SourceFile[],
  rules: readonly CompiledRule[],
  options: { complexityThreshold?: number | undefined } = {},
): { findings: Finding[]; failedRules: string[] } {
  const findings: Finding[] = [];
  const failed = new Set<string>();
  for (const file of files) {
    const applicable = rules.filter(
      (r) => r.languages.includes(file.language) && r.appliesTo(file.path),
    );
    if (applicable.length === 0 && options.complexityThreshold === undefined) continue;
    // The parser walks down from the root to find a node's parent, so rules that look up or
    // beside a match cost depth × matches: code nested hundreds deep (no person writes it) would
    // hold an analysis process for seconds. Its secrets are scanned all the same.
    if (nestingDepth(file.text) > MAX_NESTING) {
      failed.add(`all rules on ${file.path} (brackets nested over ${MAX_NESTING} deep)`);
      continue;
    }
    let root: SgNode;
    try {
      root = parseAst(astGrepLanguage(file.language), file.text).root();
    } catch {
      continue;
    }
    if (options.complexityThreshold !== undefined) {
      try {
        findings.push(
          ...complexityFindings({
            path: file.path,
            language: file.language,
            root,
            added: file.added,
            threshold: options.complexityThreshold,
          }),
        );
      } catch {
        failed.add("complexity");
      }
    }
    const lines = file.text.split("\n");
    // Built on the first match of a rule with a `sink`, once per file.
    let index: Bindings | undefined;
    const bindings = () => {
      index ??= findBindings(root, file.language);
      return index;
    };
    for (const rule of applicable) {
      try {
        for (const node of root.findAll(rule.matcher as never)) {
          let builtOn: number[] = [];
          if (rule.sink) {
            const traced = matchSink(node, rule.sink, bindings);
            if (!traced) continue;
            builtOn = traced.lines;
          }
          const finding = toFinding(file, lines, rule, node, builtOn);
          if (finding) findings.push(finding);
        }
      } catch {
        failed.add(rule.id);
      }
    }
  }
  return { findings, failedRules: [...failed] };
}

function toFinding(
  file: SourceFile,
  lines: string[],
  rule: CompiledRule,
  node: SgNode,
  builtOn: readonly number[] = [],
): Finding | undefined {
  const range = node.range();
  const first = range.start.line + 1;
  const last = range.end.line + 1;
  const added: number[] = [];
  for (let l = first; l <= last; l++) if (file.added.has(l)) added.push(l);
  if (added.length === 0) return undefined;

  const base = {
    path: file.path,
    severity: rule.severity,
    category: rule.category,
    message: `${rule.message} ${rule.note}`,
    source: rule.id,
    basis: file.basis,
  };
  if (rule.fix === undefined) {
    // A sink sits on its own line and spans up from the first line that built its value. In a
    // call chain split over lines that is the line naming the method, not the chain's first.
    const named = methodLine(node);
    const line = named !== undefined && file.added.has(named) ? named : (added[0] ?? first);
    const start = Math.min(line, ...builtOn.map((l) => l + 1));
    return { ...base, line, startLine: start < line ? start : undefined };
  }
  const prefix = (lines[first - 1] ?? "").slice(0, range.start.column);
  const suffix = (lines[last - 1] ?? "").slice(range.end.column);
  const fixed = expandFix(rule.fix, node);
  const replaced = `${prefix}${fixed}${suffix}`;
  if (fixed.trim() === "") {
    // Deleting a statement is only safe where it stands alone on its lines in a list of
    // statements: removing the body of a braceless `if`/`for`, a trailing `if` modifier's
    // subject, or a Python block's only statement changes or breaks the code.
    const alone = prefix.trim() === "" && (suffix.trim() === "" || suffix.trim() === ";");
    if (!alone || !standsAlone(node)) return { ...base, line: last };
    return { ...base, line: last, startLine: first < last ? first : undefined, suggestion: "" };
  }
  return { ...base, line: last, startLine: first < last ? first : undefined, suggestion: replaced };
}

/** The one-based line of a method call's name (`.query`, `.arg`), when the match is such a call. */
function methodLine(node: SgNode): number | undefined {
  if (!/call|invocation/.test(String(node.kind()))) return undefined;
  const field = (owner: SgNode | null | undefined, name: string) =>
    owner?.field(name as never) as SgNode | null | undefined;
  const callee = field(node, "function");
  const name =
    field(callee, "property") ??
    field(callee, "field") ??
    field(callee, "attribute") ??
    field(node, "method") ??
    (callee ? undefined : field(node, "name"));
  return name ? name.range().start.line + 1 : undefined;
}

/** Fills a fix template: `$X` is the text a metavariable matched, `$$$X` the run of nodes it matched. */
export function expandFix(template: string, node: SgNode): string {
  return template.replace(
    /\$\$\$([A-Z_][A-Z0-9_]*)|\$([A-Z_][A-Z0-9_]*)/g,
    (whole, multi?: string, single?: string) => {
      if (multi) {
        const nodes = node.getMultipleMatches(multi);
        const firstNode = nodes[0];
        const lastNode = nodes.at(-1);
        if (!firstNode || !lastNode) return "";
        // From the match's own text, not the file's: a file with many matches would copy the
        // whole file out of the parser once per match.
        const from = node.range().start.index;
        return node
          .text()
          .slice(firstNode.range().start.index - from, lastNode.range().end.index - from);
      }
      return single ? (node.getMatch(single)?.text() ?? whole) : whole;
    },
  );
}

const STATEMENT_LISTS = new Set([
  "statement_block",
  "program",
  "module",
  "block",
  "body_statement",
  "switch_case",
  "class_body",
]);
const WRAPPERS = new Set(["expression_statement", "call"]);

/** True when `node` is a whole statement inside a list of statements that keeps others. */
function standsAlone(node: SgNode): boolean {
  let statement = node;
  let container = node.parent();
  while (container && WRAPPERS.has(String(container.kind()))) {
    statement = container;
    container = container.parent();
  }
  if (!container || !STATEMENT_LISTS.has(String(container.kind()))) return false;
  // A Python or Ruby block may not be left empty.
  const emptyIsInvalid = container.kind() === "block" || container.kind() === "body_statement";
  return (
    !emptyIsInvalid ||
    container.namedChildren().filter((c) => c.id() !== statement.id() && c.kind() !== "comment")
      .length > 0
  );
}

/** Deeper than any code a person writes, and shallow enough that the rules stay fast. */
export const MAX_NESTING = 256;

/**
 * How deep (), [] and {} nest in `text`, in one pass. Brackets inside quoted strings ('…', "…",
 * `…`; the first two end at a line's end) and C-style comments are not counted, so "})" in a string
 * cannot hide the nesting around it. A heuristic: the analysis budget stays the bound.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92)
        i++; // a backslash escapes what follows
      else if (c === quote || (c === 10 && quote !== 96)) quote = 0;
      continue;
    }
    // " ' `
    if (c === 34 || c === 39 || c === 96) quote = c;
    else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf("\n", i);
      if (end === -1) break;
      i = end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) break;
      i = end + 1;
    } else if (c === 40 || c === 91 || c === 123) {
      // ( [ {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return deepest;
}
