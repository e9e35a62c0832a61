import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.schema.js";
import type { Provider } from "../providers/provider.js";
import { runProviderChain } from "../providers/run-provider-chain.js";
import type { Redactor } from "../security/redactor.js";
import { redactSpans, scanSecrets } from "../security/scan-secrets.js";
import { runStaticChecks } from "../static-checks/run-static-checks.js";
import { rateByRubric } from "./rating-rubric.js";
import { type Anchored, anchorFindings } from "./stages/anchor-findings.js";
import { type FileDecision, filterFiles } from "./stages/filter-files.js";
import { fitBudget } from "./stages/fit-budget.js";
import { prepareFiles } from "./stages/prepare-files.js";
import type { ChangedFile, Finding, TokenUsage } from "./types.js";

export type ReviewLimits = { maxPatchBytes: number; maxPromptTokens: number };

export type ReviewChangesDeps = { providers: readonly Provider[]; redactor: Redactor; log: Logger };

export type ReviewResult = Anchored & {
  decisions: FileDecision[];
  rating: { score: number; reason: string; computed: boolean } | undefined;
  overview: string;
  conclusion: string;
  servedBy: string;
  usage: TokenUsage | undefined;
  notes: string[];
};

/**
 * The review core shared by the App and the CLI. Stages:
 * 1. decide which files to review (filters, excludes, size);
 * 2. parse patches and redact secrets (secrets on added lines become critical findings);
 * 3. run the built-in static checks;
 * 4. keep the files that fit the prompt budget;
 * 5. ask the provider chain (a model first, static checks last);
 * 6. anchor every finding to a line GitHub accepts, or move it to the summary.
 */
export async function reviewChanges(
  deps: ReviewChangesDeps,
  params: {
    pr: { title: string; body: string };
    files: readonly ChangedFile[];
    config: RepoConfig;
    limits: ReviewLimits;
    signal: AbortSignal;
  },
): Promise<ReviewResult> {
  const { config, limits, signal } = params;
  // 1.
  const decisions = filterFiles(params.files, {
    include: config.include,
    exclude: config.exclude,
    maxPatchBytes: limits.maxPatchBytes,
  });
  const toReview = decisions.filter((d) => d.reviewed).map((d) => d.file);
  if (toReview.length === 0) {
    return {
      decisions,
      inline: [],
      summaryOnly: [],
      rating: undefined,
      overview: "",
      conclusion:
        "Nothing in this change needed a review: every file was skipped (see Found files).",
      servedBy: "no reviewer (nothing to review)",
      usage: undefined,
      notes: [],
    };
  }
  // 2.
  const prepared = await prepareFiles(toReview);
  for (const file of prepared.files) {
    for (const hunk of file.hunks)
      for (const line of hunk.lines) line.text = deps.redactor.redact(line.text);
  }
  const pr = {
    title: await redactText(deps.redactor, params.pr.title),
    body: await redactText(deps.redactor, params.pr.body),
  };
  // 3.
  const staticChecks = runStaticChecks(prepared.files);
  const staticFindings: Finding[] = [...prepared.secretFindings, ...staticChecks.findings];
  // 4.
  const budget = fitBudget(prepared.files, limits.maxPromptTokens);
  const overBudget = new Set(budget.overBudget.map((f) => f.path));
  const finalDecisions = decisions.map((d) =>
    overBudget.has(d.file.path)
      ? {
          ...d,
          reviewed: false,
          reason: "budget (the diff is larger than CRITIC_MAX_PROMPT_TOKENS)",
        }
      : d,
  );
  // 5.
  const modelProviders = deps.providers.filter((p) => p.usesModel);
  const chain = await runProviderChain(
    budget.fitting.length > 0 ? deps.providers : deps.providers.filter((p) => !p.usesModel),
    { pr, files: budget.fitting, staticFindings, config },
    { signal, log: deps.log },
  );
  const { result, served, failed } = chain;
  const notes: string[] = [];
  if (!served.usesModel) {
    const why =
      failed.length > 0
        ? failed.map((f) => `${f.displayName}: ${f.failure}`).join("; ")
        : modelProviders.length === 0
          ? "no AI provider is configured"
          : "the diff did not fit the prompt budget";
    notes.push(`AI review unavailable (${why}) — static checks only.`);
  } else if (failed.length > 0) {
    notes.push(
      `${failed.map((f) => `${f.displayName} unavailable (${f.failure})`).join("; ")} — reviewed by ${served.displayName} \`${result.model}\`.`,
    );
  }
  if (result.dropped > 0) {
    notes.push(
      `${result.dropped} malformed ${result.dropped === 1 ? "finding" : "findings"} from the model ${result.dropped === 1 ? "was" : "were"} dropped.`,
    );
  }
  if (staticChecks.failedRules.length > 0)
    notes.push(
      `Static rules that failed and were skipped: ${staticChecks.failedRules.join(", ")}.`,
    );
  // 6.
  const all = served.usesModel ? [...staticFindings, ...result.findings] : result.findings;
  const anchored = anchorFindings(all, prepared.files, {
    maxComments: config.max_comments,
    minSeverity: config.min_severity,
  });
  const rating = result.rating
    ? { ...result.rating, computed: false }
    : { ...rateByRubric([...anchored.inline, ...anchored.summaryOnly]), computed: true };

  return {
    ...anchored,
    decisions: finalDecisions,
    rating,
    overview: result.summary,
    conclusion: result.conclusion,
    servedBy: served.usesModel ? `${served.displayName} \`${result.model}\`` : "static checks only",
    usage: result.usage,
    notes,
  };
}

async function redactText(redactor: Redactor, text: string): Promise<string> {
  return redactSpans(redactor.redact(text), await scanSecrets(redactor.redact(text)));
}
