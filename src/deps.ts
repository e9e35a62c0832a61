import PQueue from "p-queue";
import type { Logger } from "pino";
import type { AppEnv } from "./config/env.js";
import type { AnswerCache } from "./providers/answer-cache.js";
import { DEFAULT_PRICES } from "./providers/pricing.js";
import { createProviderChain } from "./providers/provider-chain.js";
import { createProviders } from "./providers/registry.js";
import { type Clock, realClock } from "./resilience/clock.js";
import type { ReviewChangesDeps, ReviewLimits } from "./review/review-changes.js";
import { createRedactor } from "./security/redactor.js";
import { builtInRules } from "./static-checks/built-in-rules.js";

export type ReviewCore = Omit<ReviewChangesDeps, "log"> & {
  limits: ReviewLimits;
  /** Where repositories keep their configuration. */
  configPath: string;
};

export type CoreOptions = {
  /** Where model answers are cached; in memory unless given (Redis mode shares one). */
  cache?: AnswerCache | undefined;
  /** The fetch the OpenAI SDK uses; tests and benchmarks point it at fakes. */
  fetch?: typeof globalThis.fetch | undefined;
  clock?: Clock | undefined;
};

/**
 * The one place the review core's long-lived parts are built from the environment: the provider
 * chain (with its breakers and cache), the model request queue, the secret redactor and limits.
 */
export function createReviewCore(env: AppEnv, log: Logger, options: CoreOptions = {}): ReviewCore {
  const providers = createProviders(env, log, options.fetch);
  return {
    chain: createProviderChain({
      providers,
      clock: options.clock ?? realClock,
      retry: env.retry,
      timeoutMs: env.llmTimeoutMs,
      breaker: env.breaker,
      cacheEntries: env.cacheEntries,
      cache: options.cache,
      log,
    }),
    llmQueue: new PQueue({ concurrency: env.llmConcurrency }),
    redactor: createRedactor(env.secrets),
    rules: builtInRules(),
    prices: { ...DEFAULT_PRICES, ...env.prices },
    configPath: env.configPath,
    limits: {
      maxPatchBytes: env.maxPatchBytes,
      maxPromptTokens: env.maxPromptTokens,
      maxRequestTokens: env.maxRequestTokens,
    },
  };
}
