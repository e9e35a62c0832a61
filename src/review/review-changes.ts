import type PQueue from "p-queue";
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.schema.js";
import { estimateCost, type PriceTable } from "../providers/pricing.js";
import type { ChainResult, ProviderChain } from "../providers/provider-chain.js";
import type { Redactor } from "../security/redactor.js";
import { redactSpans, scanSecrets } from "../security/scan-secrets.js";
import {
  type CompiledRule,
  compileRules,
  type RuleSource,
} from "../static-checks/compile-rules.js";
import { languageOf } from "../static-checks/languages.js";
import { runStaticChecks } from "../static-checks/run-static-checks.js";
import { parsePatch } from "./diff/parse-patch.js";
import { rateByRubric } from "./rating-rubric.js";
import { type Anchored, anchorFindings } from "./stages/anchor-findings.js";
import type { PriorFinding } from "./stages/carry-findings.js";
import { chunkFiles } from "./stages/chunk-files.js";
import { type FileDecision, filterFiles } from "./stages/filter-files.js";
import { prepareFiles } from "./stages/prepare-files.js";
import type { ChangedFile, Finding } from "./types.js";

export type ReviewLimits = {
  maxPatchBytes: number;
  /** The operator's ceiling on diff tokens per review; a repository may set less. */
  maxPromptTokens: number;
  maxRequestTokens: number;
};

export type ReviewChangesDeps = {
  /** Critic's built-in static rules. */
  rules: readonly CompiledRule[];
  chain: ProviderChain;
  /** Bounds model requests across every review in the process. */
  llmQueue: PQueue;
  redactor: Redactor;
  prices: PriceTable;
  log: Logger;
};

/** Tokens one provider and model spent on a review. */
export type UsageLine = {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | undefined;
  requests: number;
  cached: number;
};

/**
 * How much of the change a model reviewed: all of it, part of it (the rest got static checks
 * because every model provider failed), none because every model provider failed
 * ("unavailable"), or none by design (no provider configured, nothing sent to a model).
 */
export type AiCoverage = "full" | "partial" | "unavailable" | "not-used";

export type ReviewResult = Anchored & {
  /** Earlier findings this push resolved (their lines are gone). */
  resolved: readonly PriorFinding[];
  decisions: FileDecision[];
  rating: { score: number; reason: string; computed: boolean } | undefined;
  overview: string;
  conclusion: string;
  servedBy: string;
  ai: AiCoverage;
  usage: UsageLine[];
  notes: string[];
};

/**
 * The review core shared by the App and the CLI. Stages:
 * 1. decide which files to review (filters, excludes, size);
 * 2. parse patches and redact secrets (secrets on added lines become critical findings);
 * 3. run the built-in static checks;
 * 4. pack the files into budget-sized requests (the rest: skipped for budget);
 * 5. send each request through the provider chain, with bounded concurrency;
 * 6. merge the answers and anchor every finding to a line GitHub accepts, or to the summary.
 */
export async function reviewChanges(
  deps: ReviewChangesDeps,
  params: {
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
    /** An incremental review: the pull request's own files, whose diff decides where comments may go. */
    anchorTo?: readonly ChangedFile[] | undefined;
    /** Files of the pull request this push did not change; listed, not reviewed. */
    unchanged?: readonly ChangedFile[] | undefined;
    /** Findings of earlier reviews still present, and those this push resolved. */
    prior?: { carried: readonly PriorFinding[]; resolved: readonly PriorFinding[] } | undefined;
    /** Told the files of each model request as it is answered (assessments show progress). */
    onChunkDone?: ((files: readonly string[]) => void) | undefined;
  },
): Promise<ReviewResult> {
  const { config, limits, signal } = params;
  // 1.
  const decisions = filterFiles(params.files, {
    include: config.include,
    exclude: config.exclude,
    maxPatchBytes: limits.maxPatchBytes,
  });
  const reviewed = new Set(decisions.filter((d) => d.reviewed).map((d) => d.file.path));
  // Secrets are looked for in every file with a usable patch, excluded ones too: a key committed
  // in vendor/ or a generated file leaks all the same.
  const scanned = decisions
    .map((d) => d.file)
    .filter(
      (f) =>
        reviewed.has(f.path) ||
        (f.status !== "removed" &&
          f.patch !== undefined &&
          Buffer.byteLength(f.patch, "utf8") <= limits.maxPatchBytes),
    );
  // 2.
  const prepared = await prepareFiles(scanned);
  for (const file of prepared.files) {
    for (const hunk of file.hunks) {
      hunk.section = deps.redactor.redact(hunk.section);
      for (const line of hunk.lines) line.text = deps.redactor.redact(line.text);
    }
  }
  const toReview = prepared.files.filter((f) => reviewed.has(f.path));
  if (toReview.length === 0) {
    const anchored = withPrior(
      anchorFindings(prepared.secretFindings, prepared.files, {
        maxComments: config.max_comments,
        minSeverity: config.min_severity,
      }),
      params.prior?.carried ?? [],
    );
    const found = anchored.inline.length + anchored.summaryOnly.length;
    return {
      resolved: params.prior?.resolved ?? [],
      ...anchored,
      decisions: [
        ...decisions,
        ...(params.unchanged ?? []).map((file) => ({
          file,
          reviewed: false,
          reason: "no changes since the last review",
        })),
      ],
      rating:
        found > 0
          ? { ...rateByRubric([...anchored.inline, ...anchored.summaryOnly]), computed: true }
          : undefined,
      overview: "",
      conclusion:
        prepared.secretFindings.length > 0
          ? "Every file was skipped for review, but secrets were found in them: remove and rotate them."
          : "Nothing in this change needed a review: every file was skipped (see Found files).",
      servedBy:
        prepared.secretFindings.length > 0
          ? "static checks only"
          : "no reviewer (nothing to review)",
      ai: "not-used",
      usage: [],
      notes: [],
    };
  }
  const pr = {
    title: await redactText(deps.redactor, params.pr.title),
    body: await redactText(deps.redactor, params.pr.body),
  };
  // 3.
  const notes: string[] = [];
  let headTexts: ReadonlyMap<string, string> | undefined;
  let repoRules: CompiledRule[] = [];
  if (params.loadSources) {
    try {
      const sources = await params.loadSources(
        toReview.filter((f) => languageOf(f.path) !== undefined).map((f) => f.path),
      );
      headTexts = sources.headTexts;
      const compiled = compileRules(sources.ruleSources);
      repoRules = compiled.rules;
      for (const error of compiled.errors) notes.push(`Repository rule skipped: ${error}`);
    } catch (error) {
      deps.log.warn(
        { err: error },
        "could not fetch the changed files; static rules read the diff only",
      );
      notes.push(
        "The changed files could not be fetched, so the static rules read the diff only (and repository rules were not loaded).",
      );
    }
  }
  const staticChecks = runStaticChecks({
    files: toReview,
    headTexts,
    rules: [...deps.rules, ...repoRules],
    disabled: new Set(config.static.disable),
    complexityThreshold: config.static.complexity_threshold,
  });
  const staticFindings: Finding[] = [...prepared.secretFindings, ...staticChecks.findings];
  // 4.
  const { chunks, overBudget } = chunkFiles(toReview, {
    maxRequestTokens: limits.maxRequestTokens,
    maxReviewTokens: Math.min(config.max_tokens_per_review, limits.maxPromptTokens),
  });
  const skipped = new Set(overBudget.map((f) => f.path));
  const finalDecisions = decisions.map((d) =>
    skipped.has(d.file.path)
      ? { ...d, reviewed: false, reason: "budget (over the review's token limit)" }
      : d,
  );
  // 5.
  const answers = await Promise.all(
    chunks.map((chunk) => {
      const paths = new Set(chunk.files.map((f) => f.path));
      const input = {
        pr,
        files: chunk.files,
        staticFindings: staticFindings.filter((f) => paths.has(f.path)),
        config,
      };
      return deps.llmQueue
        .add(() => deps.chain.review(input, signal), { signal })
        .then((answer) => {
          params.onChunkDone?.([...paths]);
          return answer;
        });
    }),
  );
  // 6.
  const merged = mergeAnswers(
    answers,
    deps.chain.providers.some((p) => p.usesModel),
  );
  // Where a static rule and the model flag the same line for the same kind of problem, the
  // static finding (precise, with its fix) stands alone: one comment, not two.
  const staticLines = new Set(staticFindings.map((f) => `${f.path}\0${f.line}\0${f.category}`));
  const findings = [
    ...staticFindings,
    ...answers
      .flatMap((a) => (a.served.usesModel ? a.result.findings : []))
      .filter((f) => !staticLines.has(`${f.path}\0${f.line}\0${f.category}`)),
  ];
  const anchorFiles = params.anchorTo
    ? params.anchorTo.map((f) => ({
        path: f.path,
        previousPath: f.previousPath,
        status: f.status,
        hunks: parsePatch(f.patch ?? ""),
      }))
    : prepared.files;
  const fresh = anchorFindings(findings, anchorFiles, {
    maxComments: config.max_comments,
    minSeverity: config.min_severity,
  });
  const anchored = withPrior(fresh, params.prior?.carried ?? []);
  const rating = merged.rating ?? {
    ...rateByRubric([...anchored.inline, ...anchored.summaryOnly]),
    computed: true,
  };
  notes.unshift(...merged.notes);
  if (staticChecks.failedRules.length > 0)
    notes.push(
      `Static rules that failed and were skipped: ${staticChecks.failedRules.join(", ")}.`,
    );
  if (overBudget.length > 0)
    notes.push(
      `${overBudget.length} ${overBudget.length === 1 ? "file was" : "files were"} not sent to a model: the review's token budget was used up (see Found files).`,
    );

  return {
    ...anchored,
    resolved: params.prior?.resolved ?? [],
    decisions: [
      ...finalDecisions,
      ...(params.unchanged ?? []).map((file) => ({
        file,
        reviewed: false,
        reason: "no changes since the last review",
      })),
    ],
    rating,
    overview: merged.overview,
    conclusion:
      merged.conclusion ||
      (chunks.length === 0
        ? "Nothing was sent to a model: every reviewable file was over the token budget."
        : ""),
    servedBy: merged.servedBy,
    // Files left out for the token budget were not seen by a model: with a model configured, a
    // gate cannot pass them on static checks alone (padding a diff must not dodge the review).
    ai:
      overBudget.length > 0 && deps.chain.providers.some((p) => p.usesModel)
        ? merged.ai === "full" || merged.ai === "partial"
          ? "partial"
          : "unavailable"
        : merged.ai,
    usage: usageLines(answers, deps.prices),
    notes,
  };
}

type Merged = {
  rating: ReviewResult["rating"];
  overview: string;
  conclusion: string;
  servedBy: string;
  ai: AiCoverage;
  notes: string[];
};

/**
 * One review from several answers: the lowest model rating stands (a change is as good as its
 * worst part) with that part's conclusion; the overviews are joined; the summary says which
 * providers served and which failed.
 */
function mergeAnswers(answers: ChainResult[], anyModelConfigured: boolean): Merged {
  const byModel = answers.filter((a) => a.served.usesModel);
  const notes: string[] = [];
  const failures = new Map<string, Set<string>>();
  for (const a of answers) {
    for (const f of a.failed)
      failures.set(f.displayName, (failures.get(f.displayName) ?? new Set()).add(f.failure));
  }
  const failureText = [...failures]
    .map(([name, kinds]) => `${name}: ${[...kinds].join(", ")}`)
    .join("; ");
  const servedNames = [
    ...new Set(byModel.map((a) => `${a.served.displayName} \`${a.result.model}\``)),
  ];

  if (byModel.length === 0) {
    const why =
      failureText ||
      (anyModelConfigured ? "nothing was sent to a model" : "no AI provider is configured");
    notes.push(`AI review unavailable (${why}) — static checks only.`);
  } else if (byModel.length < answers.length) {
    notes.push(
      `${answers.length - byModel.length} of ${answers.length} parts of this change got static checks only (${failureText}); the rest were reviewed by ${servedNames.join(" and ")}.`,
    );
  } else if (failures.size > 0) {
    notes.push(
      `${[...failures].map(([name, kinds]) => `${name} unavailable (${[...kinds].join(", ")})`).join("; ")} — reviewed by ${servedNames.join(" and ")}.`,
    );
  }
  const dropped = byModel.reduce((sum, a) => sum + a.result.dropped, 0);
  if (dropped > 0)
    notes.push(
      `${dropped} malformed ${dropped === 1 ? "finding" : "findings"} from the model ${dropped === 1 ? "was" : "were"} dropped.`,
    );

  const rated = byModel.filter((a) => a.result.rating !== undefined);
  const worst = rated.reduce<ChainResult | undefined>(
    (w, a) => (!w || (a.result.rating?.score ?? 11) < (w.result.rating?.score ?? 11) ? a : w),
    undefined,
  );
  const overview = [...new Set(byModel.map((a) => a.result.summary.trim()).filter(Boolean))].join(
    " ",
  );
  const fallback = answers.find((a) => !a.served.usesModel)?.result;
  return {
    rating: worst?.result.rating ? { ...worst.result.rating, computed: false } : undefined,
    overview: overview || fallback?.summary || "",
    conclusion:
      worst?.result.conclusion ?? byModel[0]?.result.conclusion ?? fallback?.conclusion ?? "",
    servedBy: servedNames.length > 0 ? servedNames.join(" and ") : "static checks only",
    ai: coverage(answers.length, byModel.length, failures.size > 0),
    notes,
  };
}

/** Parts answered by a model, of all parts; a part without one got static checks. */
function coverage(parts: number, byModel: number, anyFailed: boolean): AiCoverage {
  if (parts > 0 && byModel === parts) return "full";
  if (byModel > 0) return "partial";
  // No part reached a model: because they failed, or because none was configured or asked.
  return anyFailed ? "unavailable" : "not-used";
}

/**
 * Adds earlier findings still present to the summary. A new finding identical to one already
 * posted inline (same file, line and message) is not posted again: it stays listed as earlier.
 */
function withPrior(fresh: Anchored, carried: readonly PriorFinding[]): Anchored {
  const key = (f: { path: string; line: number; message: string }) =>
    `${f.path}\0${f.line}\0${f.message.toLowerCase().replace(/\s+/g, " ").trim()}`;
  const posted = new Set(carried.filter((c) => c.inline).map(key));
  const fresher = new Set([...fresh.inline, ...fresh.summaryOnly].map(key));
  const earlier = carried.map((c) => ({
    ...c,
    source: "earlier-review",
    placement: "earlier" as const,
  }));
  return {
    inline: fresh.inline.filter((f) => !posted.has(key(f))),
    summaryOnly: [
      ...fresh.summaryOnly,
      ...earlier.filter((c) => !fresher.has(key(c)) || posted.has(key(c))),
    ],
  };
}

function usageLines(answers: ChainResult[], prices: PriceTable): UsageLine[] {
  const lines = new Map<string, UsageLine>();
  for (const a of answers) {
    if (!a.served.usesModel) continue;
    const key = `${a.served.displayName}\0${a.result.model}`;
    const line = lines.get(key) ?? {
      provider: a.served.displayName,
      model: a.result.model,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: undefined,
      requests: 0,
      cached: 0,
    };
    line.inputTokens += a.result.usage?.inputTokens ?? 0;
    line.outputTokens += a.result.usage?.outputTokens ?? 0;
    line.requests += 1;
    line.cached += a.cached ? 1 : 0;
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => ({ ...l, costUsd: estimateCost(l.model, l, prices) }));
}

async function redactText(redactor: Redactor, text: string): Promise<string> {
  const known = redactor.redact(text);
  return redactSpans(known, await scanSecrets(known));
}
