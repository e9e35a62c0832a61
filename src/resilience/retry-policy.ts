import type { ProviderError } from "../errors.js";

export type RetryPolicy = {
  /** Retries after the first attempt (so `retries + 1` attempts at most). */
  retries: number;
  /** First backoff ceiling; doubles each retry (full jitter picks a wait below it). */
  baseDelayMs: number;
  /** Longest wait Critic accepts, whether from backoff or from the provider's `retry-after`. */
  maxDelayMs: number;
};

/**
 * How long to wait before retrying `error`, or undefined when it must not be retried: the error is
 * not transient (400, 401, 403, 404, bad output), the retries are spent, or the provider asked
 * for a longer wait than the cap (better to try the next provider than to hold the review).
 * Backoff is exponential with full jitter: a random wait in [0, base·2^attempt), capped.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function retryDelayMs(
  error: ProviderError,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  if (!error.retryable || attempt >= policy.retries) return undefined;
  if (error.retryAfterSeconds !== undefined) {
    const asked = Math.max(0, error.retryAfterSeconds * 1000);
    return asked <= policy.maxDelayMs ? asked : undefined;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
