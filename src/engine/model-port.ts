import type { RepoConfig } from "../config/repo-config.schema.js";
import type { Finding, ReviewFile, TokenUsage } from "../model/types.js";
import type { Sanitized } from "./sanitize/sanitized.js";

/** The repository settings a prompt is built from; `instructions` is the repository's own text. */
export type PromptConfig = Pick<RepoConfig, "instructions" | "language" | "level" | "model">;

/** A changed file as a model may see it: lines redacted and its path masked where it holds a secret. */
export type ModelFile = Sanitized<ReviewFile>;

/** What every provider reviews. Each text in it went through the sanitize stage. */
export type ReviewRequest = {
  pr: Sanitized<{ title: string; body: string }>;
  files: readonly ModelFile[];
  /** Findings of the built-in checks, already computed; the static provider reports these. */
  staticFindings: readonly Finding[];
  config: Sanitized<PromptConfig>;
  /**
   * The repository's instruction files that apply to these files (AGENTS.md and the like, from
   * the base branch, and `path_instructions`), most specific first, within their token budget.
   */
  instructions?: Sanitized<ReadonlyArray<{ source: string; text: string }>> | undefined;
};

/** A question with the (sanitized, budgeted) diff as context. */
export type AskRequest = {
  question: Sanitized<string>;
  pr: Sanitized<{ title: string; body: string }>;
  files: readonly ModelFile[];
  /** A review comment the question replies to, with its code context. */
  thread?:
    | Sanitized<{ path: string; line: number | undefined; diffHunk: string; comment: string }>
    | undefined;
  config: Sanitized<PromptConfig>;
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

export type AskResult = { answer: string; model: string; usage?: TokenUsage | undefined };

/** Who answered: enough for the summary and the usage lines. */
export type ProviderInfo = { id: string; displayName: string; usesModel: boolean };

export type ProviderFailure = { provider: string; displayName: string; failure: string };

export type ModelReview = {
  result: ProviderResult;
  served: ProviderInfo;
  /** The answer came from the cache: no call was made and no tokens were spent. */
  cached: boolean;
  /** Providers passed over before the one that served, with why. */
  failed: ProviderFailure[];
};

export type ModelAnswer = { answer?: AskResult; served?: ProviderInfo; failed: ProviderFailure[] };

/**
 * The engine's only way to a model. Its implementation (the provider chain behind a bounded queue)
 * lives with the providers; the engine sees this port alone, and the port takes sanitized requests.
 */
export type ModelPort = {
  /** Whether any provider calls a model; without one, reviews are static checks only. */
  readonly hasModel: boolean;
  /** Reviews one request; the static checks answer when every model provider fails. */
  review(request: ReviewRequest, signal: AbortSignal): Promise<ModelReview>;
  /** Answers a question in prose; `answer` is absent when no model provider could. */
  ask(request: AskRequest, signal: AbortSignal): Promise<ModelAnswer>;
};
