import type { RepoConfig } from "../config/repo-config.schema.js";
import type { Finding, ReviewFile, TokenUsage } from "../review/types.js";

/** What every provider reviews: redacted text only. */
export type ReviewInput = {
  pr: { title: string; body: string };
  files: ReviewFile[];
  /** Findings of the built-in checks, already computed; the static provider reports these. */
  staticFindings: Finding[];
  config: Pick<RepoConfig, "instructions" | "language" | "level" | "model">;
};

export type Rating = { score: number; reason: string };

export type ProviderResult = {
  findings: Finding[];
  summary: string;
  /** Absent when the provider cannot judge (static checks); the pipeline then applies the rubric. */
  rating?: Rating | undefined;
  conclusion: string;
  model: string;
  usage?: TokenUsage | undefined;
  /** Findings the provider returned that failed validation and were dropped. */
  dropped: number;
};

/** A question about a pull request, with the (redacted, budgeted) diff as context. */
export type AskInput = {
  question: string;
  pr: { title: string; body: string };
  files: ReviewFile[];
  /** A review comment the question replies to, with its code context. */
  thread?:
    | { path: string; line: number | undefined; diffHunk: string; comment: string }
    | undefined;
  config: Pick<RepoConfig, "instructions" | "language" | "level" | "model">;
};

export type AskResult = { answer: string; model: string; usage?: TokenUsage | undefined };

/**
 * A reviewer. LLM providers throw `ProviderError` on failure; the static provider never throws.
 * Each provider owns no retries of its own: the chain decides what happens after a failure.
 */
export type Provider = {
  /** Stable id used in `CRITIC_PROVIDERS`, logs and /healthz. */
  id: string;
  /** Name shown to users in the summary, e.g. "OpenAI". */
  displayName: string;
  /** True for providers that call a language model (false for static checks). */
  usesModel: boolean;
  review(input: ReviewInput, options: { signal: AbortSignal }): Promise<ProviderResult>;
  /** Answers a question in prose; only providers that call a model have it. */
  ask?(input: AskInput, options: { signal: AbortSignal }): Promise<AskResult>;
};
