import PQueue from "p-queue";
import type { Logger } from "pino";
import type { AppEnv } from "../config/env.js";
import { RepoConfig } from "../config/repo-config.schema.js";
import type { ReviewCore } from "../deps.js";
import { askAboutChanges } from "../engine/ask-about-changes.js";
import { reviewChanges } from "../engine/review-changes.js";
import { asAddedFile } from "../engine/whole-file.js";
import { estimateCost } from "../model/pricing.js";
import type { UsageLine } from "../model/review-result.js";
import type { Category, ChangedFile, Severity } from "../model/types.js";
import type { RepoSource } from "./repo-source.js";
import { selectFiles } from "./select-files.js";
import { buildSynthesisQuestion, type CandidateLevel, parseSynthesis } from "./synthesis.js";

export type AssessmentLimits = {
  /** Files reviewed at most; the rest are listed as skipped. */
  maxFiles: number;
  /** Source tokens sent to a model at most, across the whole review. */
  maxTokens: number;
  /** A file larger than this is listed, not read. */
  maxFileBytes: number;
};

// A larger file is listed, not read: a candidate's solution is not made of 300 KB files.
const MAX_FILE_BYTES = 300_000;

/** The limits of an assessment as the operator set them (`CRITIC_ASSESS_*`). */
export function assessmentLimits(env: Pick<AppEnv, "api">): AssessmentLimits {
  return {
    maxFiles: env.api.assessMaxFiles,
    maxTokens: env.api.assessMaxTokens,
    maxFileBytes: MAX_FILE_BYTES,
  };
}

export type FoundFile = {
  path: string;
  language: string;
  lines: number | null;
  reviewed: boolean;
  reason?: string;
};

export type Downside = {
  file: string;
  line?: number;
  severity: Severity;
  category: Category;
  comment: string;
};

export type AssessmentResult = {
  repository: { name: string; ref: string };
  level: CandidateLevel;
  found_files: FoundFile[];
  downsides: Downside[];
  rating: number;
  rating_rationale: string;
  /** Whether a model judged the rating, or Critic's rubric computed it from the findings. */
  rated_by: "model" | "rubric";
  conclusion: string;
  provider: string;
  usage: UsageLine[];
  notes: string[];
};

export type Progress = { files_done: number; files_total: number };

const GUIDANCE =
  "This is not a pull request but a candidate's whole solution to a coding assignment, shown as new files; the description holds the assignment. Review it as a hiring reviewer: correctness against the assignment first, then design, error handling, security, tests and readability. Do not report that files are new.";
const READ_CONCURRENCY = 8;

/**
 * A coding-assignment review: select the repository's files, read them (a few at a time), review
 * them with the same core as pull requests (static checks, budgeted model requests, the provider
 * chain), then ask one model question that weighs the findings against the assignment and the
 * candidate's level. Without a model the rating comes from Critic's rubric and says so.
 */
export async function assessRepository(
  deps: ReviewCore & { log: Logger },
  input: {
    source: RepoSource;
    assignment: string;
    level: CandidateLevel;
    limits: AssessmentLimits;
    signal: AbortSignal;
    onProgress?: (progress: Progress) => void;
  },
): Promise<AssessmentResult> {
  const { source, limits, signal } = input;
  const selection = selectFiles(source.entries, {
    maxFiles: limits.maxFiles,
    maxFileBytes: limits.maxFileBytes,
    assignment: input.assignment,
  });
  const texts = new Map<string, string>();
  const unreadable = new Map<string, string>();
  const reads = new PQueue({ concurrency: READ_CONCURRENCY });
  await reads.addAll(
    selection.selected.map((entry) => async () => {
      signal.throwIfAborted();
      try {
        const bytes = await source.read(entry.path);
        if (bytes.subarray(0, 8192).includes(0)) unreadable.set(entry.path, "binary");
        else texts.set(entry.path, bytes.toString("utf8"));
      } catch (error) {
        deps.log.warn({ err: error, path: entry.path }, "could not read a file of the repository");
        unreadable.set(entry.path, "could not be read");
      }
    }),
  );
  const files: ChangedFile[] = selection.selected
    .filter((e) => texts.has(e.path))
    .map((e) => asAddedFile(e.path, texts.get(e.path) ?? ""));

  const config = RepoConfig.parse({
    level: input.level,
    max_comments: 100,
    min_severity: "suggestion",
    max_tokens_per_review: Math.max(1_000, limits.maxTokens),
    instructions: GUIDANCE,
  });
  const total = files.filter((f) => f.patch !== undefined).length;
  let done = 0;
  input.onProgress?.({ files_done: 0, files_total: total });
  const review = await reviewChanges(deps, {
    pr: { title: `Candidate solution: ${source.name} (${input.level})`, body: input.assignment },
    files,
    config,
    limits: { ...deps.limits, maxPromptTokens: limits.maxTokens },
    signal,
    loadSources: async () => ({ headTexts: texts, ruleSources: [] }),
    onChunkDone: (paths) => {
      done += paths.length;
      input.onProgress?.({ files_done: Math.min(done, total), files_total: total });
    },
  });
  const findings = [...review.inline, ...review.summaryOnly];
  const decisions = new Map(review.decisions.map((d) => [d.file.path, d]));
  const found: FoundFile[] = [
    ...selection.selected.map((entry): FoundFile => {
      const text = texts.get(entry.path);
      const decision = decisions.get(entry.path);
      const reason =
        unreadable.get(entry.path) ??
        (decision && !decision.reviewed ? (decision.reason ?? "not reviewed") : undefined);
      return {
        path: entry.path,
        language: entry.language,
        lines: text === undefined ? null : countLines(text),
        reviewed: reason === undefined,
        ...(reason === undefined ? {} : { reason }),
      };
    }),
    ...selection.skipped.map((entry) => ({
      path: entry.path,
      language: entry.language,
      lines: null,
      reviewed: false,
      reason: entry.reason,
    })),
  ].sort((a, b) => a.path.localeCompare(b.path));

  const reviewedCount = found.filter((f) => f.reviewed).length;
  const question = buildSynthesisQuestion({
    assignment: input.assignment,
    level: input.level,
    findings,
    filesReviewed: reviewedCount,
    filesSkipped: found.length - reviewedCount,
  });
  const notes = [...review.notes];
  if (source.truncated)
    notes.push("The repository's file list was truncated by GitHub; some files were not seen.");
  let verdict: ReturnType<typeof parseSynthesis>;
  const usage = [...review.usage];
  if (deps.model.hasModel && reviewedCount > 0) {
    const asked = await askAboutChanges(deps, {
      question,
      pr: { title: "Coding assignment", body: "" },
      files: [],
      config,
      limits: deps.limits,
      signal,
    });
    verdict = asked.answer ? parseSynthesis(asked.answer.answer) : undefined;
    if (asked.answer?.usage && asked.served)
      usage.push({
        provider: asked.served.displayName,
        model: asked.answer.model,
        inputTokens: asked.answer.usage.inputTokens,
        outputTokens: asked.answer.usage.outputTokens,
        costUsd: estimateCost(asked.answer.model, asked.answer.usage, deps.prices),
        requests: 1,
        cached: 0,
      });
    if (!verdict)
      notes.push(
        "The model's overall verdict could not be used; the rating is computed from the findings.",
      );
  }
  const rubric = review.rating ?? { score: 10, reason: "Nothing was found.", computed: true };
  return {
    repository: { name: source.name, ref: source.ref },
    level: input.level,
    found_files: found,
    downsides: findings.map((f) => ({
      file: f.path,
      line: f.line,
      severity: f.severity,
      category: f.category,
      comment: f.message,
    })),
    rating: verdict?.rating ?? rubric.score,
    rating_rationale: verdict?.rating_rationale ?? rubric.reason,
    rated_by: verdict ? "model" : rubric.computed ? "rubric" : "model",
    conclusion:
      verdict?.conclusion ??
      (reviewedCount === 0
        ? "Nothing could be reviewed: no source files were found (see Found files)."
        : `No model judged this solution against the assignment, so its correctness and design were not assessed; the static checks found ${countBy(findings, "critical")} critical problems and ${countBy(findings, "warning")} warnings.`),
    provider: review.servedBy,
    usage,
    notes,
  };
}

function countBy(findings: ReadonlyArray<{ severity: Severity }>, severity: Severity): number {
  return findings.filter((f) => f.severity === severity).length;
}

function countLines(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
