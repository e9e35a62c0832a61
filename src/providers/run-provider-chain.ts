import type { Logger } from "pino";
import { describeKind, isProviderError } from "../errors.js";
import type { Provider, ProviderResult, ReviewInput } from "./provider.js";

export type ProviderAttempt = { provider: string; displayName: string; failure: string };

export type ChainResult = {
  result: ProviderResult;
  served: Provider;
  /** Providers tried before the one that served, with why each failed. */
  failed: ProviderAttempt[];
};

/**
 * Asks each provider in order until one answers. The static provider must be last and never
 * fails, so a review always comes back. Cancellation (the job was superseded) stops the chain.
 */
export async function runProviderChain(
  providers: readonly Provider[],
  input: ReviewInput,
  options: { signal: AbortSignal; log: Logger },
): Promise<ChainResult> {
  const failed: ProviderAttempt[] = [];
  for (const provider of providers) {
    options.signal.throwIfAborted();
    try {
      const result = await provider.review(input, { signal: options.signal });
      return { result, served: provider, failed };
    } catch (error) {
      options.signal.throwIfAborted();
      const failure = isProviderError(error) ? describeKind(error.kind) : "failed unexpectedly";
      options.log.warn(
        {
          provider: provider.id,
          kind: isProviderError(error) ? error.kind : "unknown",
          status: isProviderError(error) ? error.status : undefined,
        },
        "provider failed, trying the next one",
      );
      failed.push({ provider: provider.id, displayName: provider.displayName, failure });
    }
  }
  throw new Error("[critic] no provider answered; the static provider must be last in the chain");
}
