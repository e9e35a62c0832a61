import PQueue from "p-queue";
import type { Logger } from "pino";
import type { AppEnv } from "./config/env.js";
import { type Analyzer, createInThreadAnalyzer } from "./engine/analyze/analyzer.js";
import type { EngineDeps } from "./engine/review-changes.js";
import { DEFAULT_PRICES } from "./model/pricing.js";
import type { ReviewLimits } from "./model/review-result.js";
import type { AnswerCache } from "./providers/answer-cache.js";
import { createModelPort } from "./providers/model-port.js";
import { createProviderChain, type ProviderChain } from "./providers/provider-chain.js";
import { createProviders } from "./providers/registry.js";
import { type Clock, realClock } from "./resilience/clock.js";
import { createRedactor, type Redactor } from "./security/redactor.js";

export type ReviewCore = Omit<EngineDeps, "log"> & {
  /** The chain behind the model port, for its breakers' states (/healthz, /metrics). */
  chain: ProviderChain;
  /**
   * The same model limit for the HTTP API's jobs, taken after pull requests' and commands'
   * requests: a backlog of uploads never holds up a review.
   */
  backgroundModel: EngineDeps["model"];
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
  /** The process's secret registry, shared with its logger; one from `env.secrets` when absent. */
  secrets?: Redactor | undefined;
  /** Where the analysis runs; in this thread when absent. */
  analyzer?: Analyzer | undefined;
};

/**
 * The one place the review core's long-lived parts are built from the environment: the provider
 * chain (with its breakers and cache) behind the model port and its request queue, the secret
 * redactor and limits.
 */
export function createReviewCore(env: AppEnv, log: Logger, options: CoreOptions = {}): ReviewCore {
  const providers = createProviders(env, log, options.fetch);
  const chain = createProviderChain({
    providers,
    clock: options.clock ?? realClock,
    retry: env.retry,
    timeoutMs: env.llmTimeoutMs,
    breaker: env.breaker,
    cacheEntries: env.cacheEntries,
    cache: options.cache,
    log,
  });
  const modelCalls = new PQueue({ concurrency: env.llmConcurrency });
  return {
    chain,
    model: createModelPort(chain, modelCalls, 1),
    backgroundModel: createModelPort(chain, modelCalls, 0),
    redactor: options.secrets ?? createRedactor(env.secrets),
    analyzer:
      options.analyzer ??
      createInThreadAnalyzer(() =>
        import("./config/analysis-kit.js").then((kit) => kit.analysisKit()),
      ),
    prices: { ...DEFAULT_PRICES, ...env.prices },
    configPath: env.configPath,
    limits: {
      maxPatchBytes: env.maxPatchBytes,
      maxPromptTokens: env.maxPromptTokens,
      maxRequestTokens: env.maxRequestTokens,
    },
  };
}
