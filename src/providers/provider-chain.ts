import type { Logger } from "pino";
import type {
  AskRequest,
  ModelAnswer,
  ModelReview,
  ProviderFailure,
  ProviderResult,
  ReviewRequest,
} from "../engine/model-port.js";
import { describeKind, isProviderError, ProviderError, type ProviderErrorKind } from "../errors.js";
import {
  type BreakerState,
  type CircuitBreaker,
  createCircuitBreaker,
} from "../resilience/circuit-breaker.js";
import type { Clock } from "../resilience/clock.js";
import { type RetryPolicy, retryDelayMs } from "../resilience/retry-policy.js";
import { type AnswerCache, createMemoryCache } from "./answer-cache.js";
import type { LlmProvider } from "./llm-provider.js";
import type { Provider } from "./provider.js";

export type ChainResult = ModelReview;

export type ChainOptions = {
  /** In order; the last must be one that never fails (the static provider). */
  providers: readonly Provider[];
  clock: Clock;
  retry: RetryPolicy;
  /** Per-attempt limit for a model call. */
  timeoutMs: number;
  breaker: { threshold: number; coolDownMs: number };
  /** Answers kept for repeats of the same prompt; 0 turns the cache off. */
  cacheEntries: number;
  /** A cache to use instead of the in-memory one (Redis mode shares answers between workers). */
  cache?: AnswerCache | undefined;
  log: Pick<Logger, "info" | "warn">;
};

export type ProviderChain = {
  readonly providers: readonly Provider[];
  review(input: ReviewRequest, signal: AbortSignal): Promise<ChainResult>;
  /** Answers a question with the first model provider that can; `answer` is absent when none could. */
  ask(input: AskRequest, signal: AbortSignal): Promise<ModelAnswer>;
  /** Provider id → breaker state (providers without a model are always "closed"). */
  states(): Record<string, BreakerState>;
};

// Failures that say the provider is unwell. A bad request or a bad answer says as much about the
// input as about the provider, so it does not count towards opening the circuit.
const BREAKER_KINDS: ReadonlySet<ProviderErrorKind> = new Set([
  "rate_limited",
  "server",
  "timeout",
  "connection",
  "auth",
]);

/**
 * Asks providers in order until one answers. Each model provider has a circuit breaker (an open
 * one is skipped without a call), a timeout per attempt, retries with capped exponential backoff
 * and full jitter for transient failures (honouring `retry-after` up to the cap), and a cache of
 * answers by prompt. The breaker sees only final outcomes, after retries.
 */
export function createProviderChain(options: ChainOptions): ProviderChain {
  const breakers = new Map<string, CircuitBreaker>();
  for (const p of options.providers) {
    if (!p.usesModel) continue;
    breakers.set(
      p.id,
      createCircuitBreaker({
        ...options.breaker,
        now: options.clock.now,
        onTransition: (from, to) =>
          options.log.warn({ provider: p.id, from, to }, "circuit breaker changed state"),
      }),
    );
  }
  const cache =
    options.cache ??
    (options.cacheEntries > 0 ? createMemoryCache(options.cacheEntries) : undefined);

  const attempt = async <T>(
    provider: Provider,
    call: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    try {
      return await call(AbortSignal.any([signal, timeout.signal]));
    } catch (error) {
      if (timeout.signal.aborted && !signal.aborted) {
        throw new ProviderError(
          provider.id,
          "timeout",
          `no answer within ${options.timeoutMs} ms`,
          { cause: error },
        );
      }
      // Providers turn every SDK and network failure into a ProviderError; anything else is a bug,
      // which no retry fixes and which says nothing about the provider's health.
      throw isProviderError(error)
        ? error
        : new ProviderError(provider.id, "internal", "failed unexpectedly", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  const callWithRetries = async <T>(
    provider: Provider,
    call: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
    breaker: CircuitBreaker | undefined,
  ): Promise<T> => {
    for (let n = 0; ; n++) {
      try {
        return await attempt(provider, call, signal);
      } catch (error) {
        signal.throwIfAborted();
        const failure = error as ProviderError;
        const delay = retryDelayMs(failure, n, options.retry, options.clock.random);
        // Other calls may have opened the circuit meanwhile: then this one stops retrying too.
        if (delay === undefined || breaker?.state() === "open") throw failure;
        options.log.info(
          { provider: provider.id, kind: failure.kind, status: failure.status, delayMs: delay },
          "retrying provider",
        );
        await options.clock.sleep(delay, signal);
        if (breaker?.state() === "open") throw failure;
      }
    }
  };

  /** Tries each provider that can `pick` a call, in order, behind its breaker, with retries. */
  const runChain = async <T>(
    signal: AbortSignal,
    pick: (provider: Provider) => ((signal: AbortSignal) => Promise<T>) | undefined,
    cacheKeyOf?: (provider: Provider) => string | undefined,
  ): Promise<
    | { value: T; served: Provider; cached: boolean; failed: ProviderFailure[] }
    | { value: undefined; failed: ProviderFailure[] }
  > => {
    const failed: ProviderFailure[] = [];
    for (const provider of options.providers) {
      signal.throwIfAborted();
      const call = pick(provider);
      if (!call) continue;
      const skip = (failure: string) =>
        failed.push({ provider: provider.id, displayName: provider.displayName, failure });
      const breaker = breakers.get(provider.id);
      const ticket = breaker?.tryAcquire();
      if (breaker && !ticket) {
        skip("circuit open");
        continue;
      }
      const key = cache ? cacheKeyOf?.(provider) : undefined;
      const hit = key === undefined ? undefined : await cache?.get(key);
      if (hit) {
        if (ticket) breaker?.release(ticket);
        return { value: { ...hit, usage: undefined } as T, served: provider, cached: true, failed };
      }
      try {
        const value = await callWithRetries(provider, call, signal, breaker);
        if (ticket) breaker?.success(ticket);
        if (key !== undefined) await cache?.set(key, value as ProviderResult);
        return { value, served: provider, cached: false, failed };
      } catch (error) {
        const failure = isProviderError(error) ? error : undefined;
        if (signal.aborted) {
          if (ticket) breaker?.release(ticket);
          throw signal.reason;
        }
        if (ticket && failure && BREAKER_KINDS.has(failure.kind)) breaker?.failure(ticket);
        else if (ticket) breaker?.release(ticket);
        options.log.warn(
          { provider: provider.id, kind: failure?.kind ?? "unknown", status: failure?.status },
          "provider failed, trying the next one",
        );
        skip(failure ? describeKind(failure.kind) : "failed unexpectedly");
      }
    }
    return { value: undefined, failed };
  };

  return {
    providers: options.providers,
    states: () =>
      Object.fromEntries(
        options.providers.map((p) => [p.id, breakers.get(p.id)?.state() ?? "closed"]),
      ),
    async review(input, signal) {
      const outcome = await runChain(
        signal,
        (provider) => (s) => provider.review(input, { signal: s }),
        (provider) => (provider as Partial<LlmProvider>).cacheKey?.(input),
      );
      if (!("served" in outcome))
        throw new Error(
          "[critic] no provider answered; the static provider must be last in the chain",
        );
      return {
        result: outcome.value,
        served: outcome.served,
        cached: outcome.cached,
        failed: outcome.failed,
      };
    },
    async ask(input, signal) {
      const outcome = await runChain(signal, (provider) => {
        const ask = provider.ask;
        return ask ? (s) => ask.call(provider, input, { signal: s }) : undefined;
      });
      return "served" in outcome
        ? { answer: outcome.value, served: outcome.served, failed: outcome.failed }
        : { failed: outcome.failed };
    },
  };
}
