/** What a review produces, as data: what the engine returns and what renderers and publishers read. */
import type { ChangedFile, Finding } from "./types.js";

/** A finding placed where GitHub accepts it. */
export type AnchoredFinding = Finding & {
  /** The line the provider named, when Critic moved the comment to a nearby diff line. */
  movedFrom?: number | undefined;
};

/** A finding that goes to the summary only, and why. */
export type SummaryFinding = Finding & {
  /** `earlier`: found by an earlier review and still there (carried across pushes). */
  placement: "outside-diff" | "over-cap" | "inline-rejected" | "earlier";
};

export type Anchored = { inline: AnchoredFinding[]; summaryOnly: SummaryFinding[] };

/** A finding from an earlier review, as remembered in the summary comment. */
export type PriorFinding = Pick<Finding, "path" | "line" | "severity" | "category" | "message"> & {
  /** It was posted inline (so posting it again would be a duplicate). */
  inline: boolean;
};

export type FileDecision = {
  file: ChangedFile;
  reviewed: boolean;
  /** Why a file was skipped, in words a user understands. */
  reason?: string | undefined;
};

export type ReviewLimits = {
  maxPatchBytes: number;
  /** The operator's ceiling on diff tokens per review; a repository may set less. */
  maxPromptTokens: number;
  maxRequestTokens: number;
};

/** Tokens one provider and model spent on a review. */
export type UsageLine = {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Of `inputTokens`, those served from the provider's prompt cache (billed at its cached rate). */
  cachedInputTokens?: number | undefined;
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
  /** New findings the repository's learnings ruled out (absent: none). */
  suppressedByLearnings?: number | undefined;
  /** Repository instruction files given to a model (`used`), and those cut for the token budget. */
  instructions?: { used: string[]; cut: string[] } | undefined;
};
