import { parse as parseAst } from "@ast-grep/napi";
import { z } from "zod";
import { RepoConfig } from "../config/repo-config.schema.js";
import type { ReviewCore } from "../deps.js";
import { askAboutChanges } from "../engine/ask-about-changes.js";
import { type EngineDeps, reviewChanges } from "../engine/review-changes.js";
import { astGrepLanguage, ensureLanguages, languageOf } from "../engine/static/languages.js";
import { asAddedFile } from "../engine/whole-file.js";
import type { ReviewLimits, UsageLine } from "../model/review-result.js";
import type { Category } from "../model/types.js";
import { extractJson } from "../prompt/parse-model-answer.js";

const EXTENSION: Record<string, string> = {
  javascript: "js",
  typescript: "ts",
  tsx: "tsx",
  python: "py",
  go: "go",
  java: "java",
  ruby: "rb",
  php: "php",
  rust: "rs",
  bash: "sh",
  c: "c",
  cpp: "cpp",
};

export type FileIssue = {
  severity: "error" | "warning" | "info";
  line: number;
  category: Category;
  description: string;
  suggestion?: string;
};

export type FileReview = {
  language: string;
  summary: string;
  rating: number;
  issues: FileIssue[];
  provider: string;
  usage: UsageLine[];
  notes: string[];
  refactored_code?: string;
  changes?: string[];
  /** Whether the refactored code parses in its language; when false, `refactor_note` says why. */
  refactor_verified?: boolean;
  refactor_note?: string;
};

/** Languages a single file may be reviewed in (those Critic parses on this machine). */
export function supportedLanguages(): string[] {
  return [...ensureLanguages()].sort();
}

/**
 * The language of an uploaded file: the one given (any case), else the file name's; an error
 * message naming the supported languages when neither is one Critic parses.
 */
export function resolveLanguage(
  filename: string,
  given: string | undefined,
): { ok: true; language: string } | { ok: false; message: string } {
  const supported = supportedLanguages();
  const language = given?.trim() ? given.trim().toLowerCase() : languageOf(filename);
  if (language && supported.includes(language)) return { ok: true, language };
  return {
    ok: false,
    message: `${given?.trim() ? `language "${given.trim()}"` : `the language of "${filename}"`} is not supported; give one of: ${supported.join(", ")}`,
  };
}

const Refactor = z.object({
  refactored_code: z.string().min(1),
  changes: z.array(z.string()).default([]),
});

const SEVERITY = { critical: "error", warning: "warning", suggestion: "info" } as const;

/**
 * One file, reviewed synchronously by the same core as pull requests (static checks, the
 * provider chain with its retries and fallbacks). With `refactor`, one more model question asks
 * for an improved version, which is parsed in its language before it is called verified.
 */
export async function reviewSingleFile(
  deps: ReviewCore & Pick<EngineDeps, "log">,
  input: {
    filename: string;
    content: string;
    language: string;
    refactor: boolean;
    signal: AbortSignal;
    /** Told the lines that hold a secret (whoever keeps the file removes them). */
    onSecretLines?: ((lines: number[]) => void) | undefined;
  },
): Promise<FileReview> {
  const base = (input.filename.split(/[\\/]/).pop() ?? "file").replace(/[^\w.-]/g, "_") || "file";
  // The static engine picks its parser by extension: make the name agree with the language.
  const path =
    languageOf(base) === input.language ? base : `${base}.${EXTENSION[input.language] ?? "txt"}`;
  const file = asAddedFile(path, input.content);
  const config = RepoConfig.parse({
    include: ["**"],
    max_comments: 100,
    instructions:
      "This is one file submitted on its own for review, not a pull request; it is shown as a new file. Do not report that it is new.",
  });
  const result = await reviewChanges(deps, {
    pr: { title: `Review of ${base}`, body: "" },
    files: [file],
    config,
    limits: singleFileLimits(deps.limits),
    signal: input.signal,
    loadSources: async () => ({
      headTexts: new Map([[path, input.content]]),
      ruleSources: [],
    }),
  });
  const findings = [...result.inline, ...result.summaryOnly].sort((a, b) => a.line - b.line);
  if (input.onSecretLines) {
    const lines: number[] = [];
    for (const f of findings)
      if (f.source === "secrets")
        for (let line = f.startLine ?? f.line; line <= f.line; line++) lines.push(line);
    input.onSecretLines(lines);
  }
  const review: FileReview = {
    language: input.language,
    summary:
      result.overview ||
      `${findings.length === 0 ? "No problems found" : `${findings.length} ${findings.length === 1 ? "problem" : "problems"} found`} by ${result.servedBy}.`,
    rating: result.rating?.score ?? 10,
    issues: findings.map((f) => ({
      severity: SEVERITY[f.severity],
      line: f.line,
      category: f.category,
      description: f.message,
      ...(f.suggestion === undefined ? {} : { suggestion: f.suggestion }),
    })),
    provider: result.servedBy,
    usage: result.usage,
    notes: result.notes,
  };
  if (!input.refactor) return review;

  const limits = singleFileLimits(deps.limits);
  const asked = await askAboutChanges(deps, {
    question: [
      "Rewrite this whole file to fix the problems below and improve its clarity, keeping its behaviour and public interface. Answer with only one JSON object, no prose around it:",
      '{"refactored_code": "<the complete new file>", "changes": ["<one line per change>"]}',
      `Problems found:\n${review.issues.map((i) => `- line ${i.line}: ${i.description.split("\n")[0]}`).join("\n") || "(none)"}`,
    ].join("\n\n"),
    pr: { title: `Refactoring of ${base}`, body: "" },
    files: [file],
    config,
    limits,
    signal: input.signal,
  });
  const parsed = asked.answer ? parseRefactor(asked.answer.answer) : undefined;
  if (!parsed)
    return {
      ...review,
      refactor_verified: false,
      refactor_note: asked.answer
        ? "The model's refactoring could not be read, so none is returned."
        : "No AI provider could write a refactoring (static checks cannot).",
    };
  const parses = parsesCleanly(input.language, parsed.refactored_code);
  return {
    ...review,
    refactored_code: deps.redactor.redact(parsed.refactored_code),
    changes: parsed.changes,
    refactor_verified: parses,
    ...(parses
      ? {}
      : {
          refactor_note: `The refactored code does not parse as ${input.language}; it could not be verified. Check it before use.`,
        }),
  };
}

function parseRefactor(text: string): z.infer<typeof Refactor> | undefined {
  const parsed = Refactor.safeParse(extractJson(text));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Whether tree-sitter parses the code without an error: no ERROR node, and no node it had to
 * invent to recover (a "missing" token: a leaf of zero width, such as an unclosed parenthesis).
 */
export function parsesCleanly(language: string, code: string): boolean {
  try {
    ensureLanguages();
    const root = parseAst(astGrepLanguage(language), code).root();
    if (root.find({ rule: { kind: "ERROR" } }) !== null) return false;
    const stack = [...root.children()];
    while (stack.length > 0) {
      const node = stack.pop();
      if (!node) break;
      const children = node.children();
      const { start, end } = node.range();
      if (children.length === 0 && start.index === end.index) return false;
      for (const child of children) stack.push(child);
    }
    return true;
  } catch {
    return false;
  }
}

/** An upload is one file, already bounded by the API's body limit: its patch may exceed a PR's. */
function singleFileLimits(limits: ReviewLimits): ReviewLimits {
  return { ...limits, maxPatchBytes: Math.max(limits.maxPatchBytes, 6_000_000) };
}
