import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.schema.js";
import { parsePatch } from "../diff/parse-patch.js";
import type { PriceTable } from "../model/pricing.js";
import type {
  FileDecision,
  PriorFinding,
  ReviewLimits,
  ReviewResult,
  UsageLine,
} from "../model/review-result.js";
import {
  type ChangedFile,
  type Finding,
  type ReviewFile,
  SEVERITY_RANK,
  type Severity,
} from "../model/types.js";
import type { Redactor } from "../security/redactor.js";
import type { Analyzer } from "./analyze/analyzer.js";
import { anchorFindings } from "./anchor/anchor-findings.js";
import { guideRequests } from "./instructions/guide-requests.js";
import type { InstructionSet } from "./instructions/instruction-set.js";
import {
  describeParts,
  describeStatic,
  mergeAnswers,
  usageLines,
  withPrior,
} from "./merge/merge-answers.js";
import { rateByRubric } from "./merge/rating-rubric.js";
import type { ModelPort } from "./model-port.js";
import { chunkFiles } from "./pack/chunk-files.js";
import { sanitizePaths } from "./sanitize/sanitize-files.js";
import { sanitizeConfig, sanitizePr } from "./sanitize/sanitize-text.js";
import { countReviewedLines, filterFiles } from "./select/filter-files.js";
import type { RuleSource } from "./static/compile-rules.js";
import { languageByName } from "./static/languages.js";
import { asAddedFile } from "./whole-file.js";

export type { ReviewLimits, ReviewResult };

/** The engine's ports and tables; no client of GitHub, a queue or a provider is among them. */
export type EngineDeps = {
  /** Where each file's CPU work runs: this thread, or a pool of worker threads. */
  analyzer: Analyzer;
  /** The only way to a model. */
  model: ModelPort;
  /** The operator's own secrets, replaced wherever they appear. */
  redactor: Redactor;
  prices: PriceTable;
  log: Pick<Logger, "warn">;
};

export type ReviewParams = {
  pr: { title: string; body: string };
  files: readonly ChangedFile[];
  config: RepoConfig;
  limits: ReviewLimits;
  signal: AbortSignal;
  /**
   * Fetches the head versions of the given files (for a real syntax tree; hunks are parsed
   * otherwise) and the repository's own rules. Absent: hunks and built-in rules only.
   */
  loadSources?:
    | ((
        paths: string[],
      ) => Promise<{ headTexts: ReadonlyMap<string, string>; ruleSources: RuleSource[] }>)
    | undefined;
  /**
   * The head text of files GitHub sent without a diff (binary, or past its diff limits), to scan
   * them for secrets whole; those it could not fetch within its bounds are left out. Absent: such
   * files are not scanned.
   */
  loadUndiffed?: ((paths: string[]) => Promise<ReadonlyMap<string, string>>) | undefined;
  /** An incremental review: the pull request's own files, whose diff decides where comments may go. */
  anchorTo?: readonly ChangedFile[] | undefined;
  /** Files of the pull request this push did not change; listed, not reviewed. */
  unchanged?: readonly ChangedFile[] | undefined;
  /** Findings of earlier reviews still present, and those this push resolved. */
  prior?: { carried: readonly PriorFinding[]; resolved: readonly PriorFinding[] } | undefined;
  /**
   * The repository's instruction files (AGENTS.md and the like), read from the base branch. Each
   * request gets those that apply to its files, with the configuration's `path_instructions`.
   */
  instructions?: InstructionSet | undefined;
  /** Told the files of each model request as it is answered (assessments show progress). */
  onChunkDone?: ((files: readonly string[]) => void) | undefined;
  /** Told the tokens of each model answer as it arrives, so spend counts even if the review stops. */
  onUsage?: ((usage: readonly UsageLine[]) => void) | undefined;
  /**
   * The learnings filter (see `suppressorFor`): a new finding it says yes to is dropped before
   * anchoring and counted in `suppressedByLearnings`.
   */
  suppress?: ((finding: Finding) => boolean) | undefined;
};

/**
 * The review engine, shared by every road that reviews code (pull requests, pushes, the CLI,
 * single files, assessments). Stages:
 * 1. select: which files to review (filters, excludes, size);
 * 2. sanitize: parse patches, flag and redact secrets, mask secrets in paths;
 * 3. static checks;
 * 4. pack the files into budget-sized requests (the rest: skipped for budget);
 * 5. ask the model port for each request, with bounded concurrency;
 * 6. merge the answers, and anchor every finding to a line GitHub accepts, or to the summary.
 */
export async function reviewChanges(deps: EngineDeps, params: ReviewParams): Promise<ReviewResult> {
  const { config, limits, signal } = params;
  // 1.
  const filter = {
    include: config.include,
    exclude: config.exclude,
    maxPatchBytes: limits.maxPatchBytes,
  };
  const decisions = filterFiles(params.files, filter);
  // The rubric's scale. An incremental review rates the whole pull request (earlier findings
  // included), so it counts the pull request's reviewed lines, not the push's.
  const size = {
    reviewedLines: countReviewedLines(
      params.anchorTo ? filterFiles(params.anchorTo, filter) : decisions,
    ),
  };
  const reviewed = new Set(decisions.filter((d) => d.reviewed).map((d) => d.file.path));
  // Secrets are looked for in every file with a patch, whatever its size or exclusion: a key
  // committed in vendor/, a generated file or a file padded past the size limit leaks all the
  // same. The scan is linear; only the review of such files is skipped.
  const scanned = decisions
    .map((d) => d.file)
    .filter((f) => reviewed.has(f.path) || (f.status !== "removed" && f.patch !== undefined));
  const unchanged: FileDecision[] = (params.unchanged ?? []).map((file) => ({
    file,
    reviewed: false,
    reason: "no changes since the last review",
  }));
  // 2. and 3.: the head files and repository rules first, then each file's analysis (secrets,
  // then static checks for reviewed files) wherever the analyzer runs it.
  const notes: string[] = [];
  const sources = reviewed.size > 0 ? await loadSources(deps, params, reviewed, notes) : NO_SOURCES;
  const secrets = deps.redactor.values();
  // Files GitHub sent without a diff hide their added lines from the scan; their whole head text
  // is scanned instead (a few per review: each costs a read). What they hold can only be said in
  // the summary: there is no diff line to comment on.
  const undiffed = decisions
    .filter(
      (d) =>
        d.file.status !== "removed" &&
        d.file.patch === undefined &&
        // GitHub counts no lines for a binary file; one past its diff limits has them. The name
        // says nothing: a text file named *.svg is read and scanned like any other.
        d.file.additions > 0,
    )
    .map((d) => d.file);
  const undiffedTexts = await loadUndiffed(deps, params, undiffed);
  const asAdded = [...undiffedTexts].map(([path, text]) => asAddedFile(path, text));
  const wholeFiles = asAdded.filter((f) => f.patch !== undefined);
  const wholeResults =
    wholeFiles.length === 0
      ? []
      : await deps.analyzer.analyze(
          wholeFiles.map((file) => ({
            file,
            review: false,
            headText: undefined,
            secrets,
            ruleSources: [],
            disabled: config.static.disable,
            complexityThreshold: config.static.complexity_threshold,
          })),
          signal,
        );
  const undiffedFindings = wholeResults.flatMap((r) => ("failed" in r ? [] : r.secretFindings));
  const scannedWhole = wholeResults.filter((r) => !("failed" in r)).length;
  // Only GitHub's reviews have such files to fetch (a local diff's file without one is binary).
  // An empty file was read and holds nothing: it counts as scanned.
  const leftUnscanned = params.loadUndiffed
    ? undiffed.length - scannedWhole - (asAdded.length - wholeFiles.length)
    : 0;
  if (scannedWhole > 0)
    notes.push(
      `${scannedWhole} ${scannedWhole === 1 ? "file" : "files"} GitHub sent without a diff ${scannedWhole === 1 ? "was" : "were"} scanned for secrets whole; what ${scannedWhole === 1 ? "it holds is" : "they hold is"} listed here, as there is no diff line to comment on.`,
    );
  if (leftUnscanned > 0)
    notes.push(
      `${leftUnscanned} ${leftUnscanned === 1 ? "file" : "files"} GitHub sent without a diff could not be scanned for secrets (binary, over ${formatMb(MAX_UNDIFFED_BYTES)}, or past ${MAX_UNDIFFED_FILES} such files or ${formatMb(MAX_UNDIFFED_TOTAL_BYTES)} in a review).`,
    );

  const inputs = scanned.map((file) => ({
    file,
    review: reviewed.has(file.path),
    headText: sources.headTexts?.get(file.path),
    secrets,
    ruleSources: sources.ruleSources,
    disabled: config.static.disable,
    complexityThreshold: config.static.complexity_threshold,
  }));
  const results = await deps.analyzer.analyze(inputs, signal);
  // A file whose review went over its budget is still scanned for secrets, on its own: the scan
  // is linear, and a file must not hide its key behind code that is slow to check.
  const retry = results.flatMap((result, i) =>
    "failed" in result && inputs[i]?.review ? [i] : [],
  );
  const scanOnly = new Set<string>();
  if (retry.length > 0 && !signal?.aborted) {
    const again = await deps.analyzer.analyze(
      retry.map((i) => ({ ...(inputs[i] as (typeof inputs)[number]), review: false })),
      signal,
    );
    for (const [k, result] of again.entries()) {
      const i = retry[k] as number;
      if ("failed" in result) continue;
      scanOnly.add(scanned[i]?.path ?? "");
      results[i] = result;
    }
  }
  const analysed: ReviewFile[] = [];
  const analysisFindings: Finding[] = [];
  const failedRules = new Set<string>();
  const families = new Set<string>();
  const overBudgetAnalysis = new Set<string>();
  const unscanned = new Set<string>();
  for (const [i, result] of results.entries()) {
    const path = scanned[i]?.path ?? "";
    if (scanOnly.has(path)) {
      overBudgetAnalysis.add(path);
      reviewed.delete(path);
      deps.log.warn(
        { path },
        "a file's analysis failed; it is not reviewed, only scanned for secrets",
      );
    }
    if ("failed" in result) {
      overBudgetAnalysis.add(path);
      unscanned.add(path);
      reviewed.delete(path);
      deps.log.warn({ path, why: result.failed }, "a file's analysis failed; it is not reviewed");
      continue;
    }
    analysed.push(result.file);
    for (const f of result.secretFindings) analysisFindings.push(f);
    for (const f of result.staticFindings) analysisFindings.push(f);
    for (const r of result.failedRules) failedRules.add(r);
    for (const family of result.families) families.add(family);
  }
  if (scanOnly.size > 0)
    notes.push(
      `${scanOnly.size} ${scanOnly.size === 1 ? "file was" : "files were"} not reviewed: ${scanOnly.size === 1 ? "its" : "their"} analysis went over its time or memory budget (see Found files); ${scanOnly.size === 1 ? "it was" : "they were"} still scanned for secrets.`,
    );
  if (unscanned.size > 0)
    notes.push(
      `${unscanned.size} ${unscanned.size === 1 ? "file was" : "files were"} not reviewed or scanned: ${unscanned.size === 1 ? "its" : "their"} analysis went over its time or memory budget (see Found files).`,
    );
  const paths = await sanitizePaths(analysed, deps.redactor);
  const sanitized = {
    files: analysed,
    modelFiles: paths.modelFiles,
    secretFindings: [
      ...analysisFindings.filter((f) => f.source === "secrets"),
      ...paths.findings,
      ...undiffedFindings,
    ],
  };
  const staticChecks = {
    findings: analysisFindings.filter((f) => f.source !== "secrets"),
    failedRules: [...failedRules],
    families: [...families],
  };
  const checkedDecisions = decisions.map((d) =>
    overBudgetAnalysis.has(d.file.path)
      ? { ...d, reviewed: false, reason: "analysis budget exceeded" }
      : d,
  );
  const toReview = sanitized.files.filter((f) => reviewed.has(f.path));
  const modelFiles = sanitized.modelFiles.filter((_, i) =>
    reviewed.has(sanitized.files[i]?.path ?? ""),
  );
  const realPath = new Map(modelFiles.map((m, i) => [m.path, toReview[i]?.path ?? m.path]));
  if (toReview.length === 0) {
    const anchored = withPrior(
      anchorFindings(sanitized.secretFindings, sanitized.files, {
        maxComments: config.max_comments,
        minSeverity: config.min_severity,
      }),
      params.prior?.carried ?? [],
    );
    const found = anchored.inline.length + anchored.summaryOnly.length;
    const anySecret = sanitized.secretFindings.length > 0;
    return {
      resolved: params.prior?.resolved ?? [],
      ...anchored,
      decisions: [...checkedDecisions, ...unchanged],
      rating:
        found > 0
          ? { ...rateByRubric([...anchored.inline, ...anchored.summaryOnly], size), computed: true }
          : undefined,
      overview: "",
      conclusion: anySecret
        ? "Every file was skipped for review, but secrets were found in them: remove and rotate them."
        : overBudgetAnalysis.size > 0
          ? "No file could be reviewed: the analysis of some went over its budget (see Found files). Review this change by hand."
          : "Nothing in this change needed a review: every file was skipped (see Found files).",
      servedBy: anySecret ? "static checks only" : "no reviewer (nothing to review)",
      // Files whose analysis failed were neither reviewed nor scanned: no gate may pass them.
      ai: overBudgetAnalysis.size > 0 ? "unavailable" : "not-used",
      usage: [],
      notes,
    };
  }
  const [pr, promptConfig] = await Promise.all([
    sanitizePr(deps.redactor, params.pr),
    sanitizeConfig(deps.redactor, config),
  ]);
  const staticFindings: Finding[] = [...sanitized.secretFindings, ...staticChecks.findings];
  // 4.
  // Packing and its budget are a model's: without one, the static checks answer for every file
  // at once, and no text is tokenized.
  const { chunks, overBudget } = deps.model.hasModel
    ? chunkFiles(modelFiles, {
        maxRequestTokens: limits.maxRequestTokens,
        maxReviewTokens: Math.min(config.max_tokens_per_review, limits.maxPromptTokens),
      })
    : { chunks: [{ files: modelFiles, tokens: 0 }], overBudget: [] };
  const skipped = new Set(overBudget.map((f) => realPath.get(f.path) ?? f.path));
  const finalDecisions = checkedDecisions.map((d) =>
    skipped.has(d.file.path)
      ? { ...d, reviewed: false, reason: "budget (over the review's token limit)" }
      : d,
  );
  // 5. Each request carries the repository instructions that apply to its own files.
  const guide = guideRequests({
    redactor: deps.redactor,
    set: params.instructions,
    pathInstructions: config.path_instructions,
    enabled: deps.model.hasModel,
  });
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const paths = new Set(chunk.files.map((f) => realPath.get(f.path) ?? f.path));
      const instructions = await guide.forFiles(chunk.files, realPath);
      const answer = await deps.model.review(
        {
          pr,
          files: chunk.files,
          staticFindings: staticFindings.filter((f) => paths.has(f.path)),
          config: promptConfig,
          ...(instructions ? { instructions } : {}),
        },
        signal,
      );
      params.onChunkDone?.([...paths]);
      params.onUsage?.(usageLines([answer], deps.prices));
      return answer;
    }),
  );
  // 6.
  const merged = mergeAnswers(answers, deps.model.hasModel);
  // Where a static rule and the model flag the same line for the same kind of problem, the
  // static finding (precise, with its fix) stands alone: one comment, not two.
  const staticLines = new Set(staticFindings.map((f) => `${f.path}\0${f.line}\0${f.category}`));
  const findings = [
    ...staticFindings,
    ...answers
      .flatMap((a) => (a.served.usesModel ? a.result.findings : []))
      .map((f) => ({ ...f, path: realPath.get(f.path) ?? f.path }))
      .filter((f) => !staticLines.has(`${f.path}\0${f.line}\0${f.category}`)),
  ];
  const anchorFiles = params.anchorTo
    ? params.anchorTo.map((f) => ({
        path: f.path,
        previousPath: f.previousPath,
        status: f.status,
        hunks: parsePatch(f.patch ?? ""),
      }))
    : sanitized.files;
  const learned = suppressLearned(findings, params.suppress, config.min_severity);
  const fresh = anchorFindings(learned.kept, anchorFiles, {
    maxComments: config.max_comments,
    minSeverity: config.min_severity,
  });
  const anchored = withPrior(fresh, params.prior?.carried ?? []);
  // A diff that asks the reviewer for a verdict does not get the model's: the rubric rates it
  // over every finding, the injection's own included.
  const steered = staticFindings.some((f) => f.source === "prompt-injection");
  const rubric = {
    ...rateByRubric([...anchored.inline, ...anchored.summaryOnly], size),
    computed: true,
  } as const;
  // Nor is a model's rating above the rubric's taken when Critic's own checks found something
  // critical (a committed key, say): a model that missed it, or was told to, rates no higher.
  // An earlier push's critical finding still standing counts too: this push's model did not see
  // it, so its rating is of the push, not of the pull request.
  const ownSources = new Set([...staticFindings.map((f) => f.source), "earlier-review"]);
  const ownCriticals = [...anchored.inline, ...anchored.summaryOnly].filter(
    (f) => f.severity === "critical" && ownSources.has(f.source),
  ).length;
  const capped =
    !steered &&
    merged.rating !== undefined &&
    ownCriticals > 0 &&
    merged.rating.score > rubric.score;
  const rating = (steered || capped ? undefined : merged.rating) ?? rubric;
  if (steered && merged.rating)
    notes.push(
      "Text in this change addresses the AI reviewer to change its verdict, so the rating is computed from the findings, not taken from the model.",
    );
  if (capped && merged.rating)
    notes.push(
      `The model rated this change ${merged.rating.score}/10, but Critic's own checks found ${ownCriticals} critical ${ownCriticals === 1 ? "issue" : "issues"}, so the rating is the rubric's.`,
    );
  const described =
    merged.byModel === 0
      ? describeStatic(
          [...fresh.inline, ...fresh.summaryOnly],
          ["secret scan", ...staticChecks.families],
        )
      : undefined;
  notes.splice(0, 0, ...merged.notes.slice(0, 50));
  if (staticChecks.failedRules.length > 0)
    notes.push(
      `Static rules that failed and were skipped: ${staticChecks.failedRules.join(", ")}.`,
    );
  if (overBudget.length > 0)
    notes.push(
      `${overBudget.length} ${overBudget.length === 1 ? "file was" : "files were"} not sent to a model: the review's token budget was used up (see Found files).`,
    );
  const instructionsUsed = guide.summary(notes);

  return {
    ...anchored,
    resolved: params.prior?.resolved ?? [],
    decisions: [...finalDecisions, ...unchanged],
    rating,
    overview:
      described?.overview ??
      (answers.length > 1
        ? `${merged.overview} ${describeParts(answers.length, [...fresh.inline, ...fresh.summaryOnly])}`.trim()
        : merged.overview),
    conclusion:
      (chunks.length === 0
        ? "Nothing was sent to a model: every reviewable file was over the token budget."
        : "") ||
      described?.conclusion ||
      merged.conclusion,
    servedBy: merged.servedBy,
    // Files left out for the token budget were not seen by a model: with a model configured, a
    // gate cannot pass them on static checks alone (padding a diff must not dodge the review).
    // A file whose analysis failed was not even scanned, with or without a model.
    ai:
      (overBudget.length > 0 && deps.model.hasModel) || overBudgetAnalysis.size > 0
        ? merged.ai === "full" || merged.ai === "partial"
          ? "partial"
          : "unavailable"
        : merged.ai,
    usage: usageLines(answers, deps.prices),
    notes,
    ...(instructionsUsed ? { instructions: instructionsUsed } : {}),
    ...(learned.suppressed > 0 ? { suppressedByLearnings: learned.suppressed } : {}),
  };
}

/** Findings the learnings filter keeps, and how many it dropped that would have been reported. */
function suppressLearned(
  findings: Finding[],
  suppress: ((finding: Finding) => boolean) | undefined,
  minSeverity: Severity,
): { kept: Finding[]; suppressed: number } {
  if (!suppress) return { kept: findings, suppressed: 0 };
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const f of findings) {
    if (!suppress(f)) kept.push(f);
    else if (SEVERITY_RANK[f.severity] <= SEVERITY_RANK[minSeverity]) suppressed += 1;
  }
  return { kept, suppressed };
}

const NO_SOURCES = { headTexts: undefined, ruleSources: [] as RuleSource[] };

/** Files GitHub sent without a diff that a review scans whole, at most, and their size each. */
export const MAX_UNDIFFED_FILES = 20;
export const MAX_UNDIFFED_BYTES = 10 * 1024 * 1024;
/** All of them together: what one review holds at most while it scans them. */
export const MAX_UNDIFFED_TOTAL_BYTES = 20 * 1024 * 1024;

const formatMb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;

async function loadUndiffed(
  deps: EngineDeps,
  params: ReviewParams,
  files: readonly ChangedFile[],
): Promise<ReadonlyMap<string, string>> {
  if (!params.loadUndiffed || files.length === 0) return new Map();
  try {
    return await params.loadUndiffed(files.slice(0, MAX_UNDIFFED_FILES).map((f) => f.path));
  } catch (error) {
    deps.log.warn({ err: error }, "could not fetch the files GitHub sent without a diff");
    return new Map();
  }
}

/** Head texts and repository rules; a failure to fetch them leaves the rules reading hunks only. */
async function loadSources(
  deps: EngineDeps,
  params: ReviewParams,
  reviewed: ReadonlySet<string>,
  notes: string[],
): Promise<{ headTexts: ReadonlyMap<string, string> | undefined; ruleSources: RuleSource[] }> {
  if (!params.loadSources) return NO_SOURCES;
  try {
    const sources = await params.loadSources(
      [...reviewed].filter((path) => languageByName(path) !== undefined),
    );
    // Compiled here for the summary's notes; each analysis thread compiles its own copy. The
    // parser is loaded only for a repository that has rules of its own.
    if (sources.ruleSources.length > 0) {
      const { compileRules } = await import("./static/compile-rules.js");
      for (const error of compileRules(sources.ruleSources).errors)
        notes.push(`Repository rule skipped: ${error}`);
    }
    return { headTexts: sources.headTexts, ruleSources: sources.ruleSources };
  } catch (error) {
    deps.log.warn(
      { err: error },
      "could not fetch the changed files; static rules read the diff only",
    );
    notes.push(
      "The changed files could not be fetched, so the static rules read the diff only (and repository rules were not loaded).",
    );
    return NO_SOURCES;
  }
}
