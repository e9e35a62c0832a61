import { ProbotOctokit } from "probot";

export type GitHub = InstanceType<typeof ProbotOctokit>;

// plugin-retry's default list plus 429: a 429 is a rate limit, and the throttling plugin owns
// those (it honours retry-after; plugin-retry would not). See FACTS.md §1.8.
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/**
 * Probot's Octokit with the retry policy set on purpose:
 * - the throttle bucket is per installation (Probot's event clients share one "no-id" bucket, so
 *   one busy organisation would slow every other);
 * - a secondary rate limit is retried after `retry-after`, at most twice;
 * - a primary limit is waited out only when it resets within a minute;
 * - 5xx and network errors are retried by plugin-retry; 4xx never.
 * The function form of `defaults` is required: the object form is merged under Probot's own
 * throttle options and silently loses (probot/probot#2039).
 */
export const CriticOctokit = ProbotOctokit.defaults(
  (options: ConstructorParameters<typeof ProbotOctokit>[0] & Record<string, unknown>) => {
    const auth = options.auth as { installationId?: number | string } | undefined;
    const throttle = (options.throttle ?? {}) as Record<string, unknown>;
    const retry = (options.retry ?? {}) as Record<string, unknown>;
    return {
      ...options,
      throttle: {
        ...throttle,
        id: String(auth?.installationId ?? throttle.id ?? "app"),
        onSecondaryRateLimit: (
          _retryAfter: number,
          _opts: unknown,
          _octokit: unknown,
          retryCount: number,
        ) => retryCount < 2,
        onRateLimit: (retryAfter: number, _opts: unknown, _octokit: unknown, retryCount: number) =>
          retryAfter <= 60 && retryCount < 2,
      },
      retry: { ...retry, doNotRetry: DO_NOT_RETRY },
    };
  },
);
