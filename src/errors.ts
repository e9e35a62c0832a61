/**
 * Why a provider call failed, by cause. `retryable` says whether the same provider may be asked
 * again (429, 5xx, timeouts, dropped connections); the rest go straight to the next provider.
 */
export type ProviderErrorKind =
  | "rate_limited"
  | "server"
  | "timeout"
  | "connection"
  | "auth"
  | "bad_request"
  | "bad_output"
  | "truncated"
  | "aborted"
  | "internal";

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set([
  "rate_limited",
  "server",
  "timeout",
  "connection",
]);

const BRAND = Symbol.for("critic.ProviderError");

export class ProviderError extends Error {
  readonly [BRAND] = true;
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly status: number | undefined;
  /** Seconds the provider asked us to wait (`retry-after`), if it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    options: {
      status?: number | undefined;
      retryAfterSeconds?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(`[critic] ${provider}: ${message}`, { cause: options.cause });
    this.name = "ProviderError";
    this.provider = provider;
    this.kind = kind;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** Brand check: survives two copies of this module, unlike `instanceof`. */
export function isProviderError(error: unknown): error is ProviderError {
  return typeof error === "object" && error !== null && BRAND in error;
}

/** Maps an HTTP status to the kind of failure it means for a model provider. */
export function kindForStatus(status: number | undefined): ProviderErrorKind {
  if (status === undefined) return "connection";
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  if (status === 401 || status === 403) return "auth";
  if (status >= 500) return "server";
  return "bad_request";
}

/** Short, user-facing words for a failure kind, as shown in the summary. */
export function describeKind(kind: ProviderErrorKind): string {
  const words: Record<ProviderErrorKind, string> = {
    rate_limited: "rate limited",
    server: "server error",
    timeout: "timed out",
    connection: "unreachable",
    auth: "rejected the API key",
    bad_request: "rejected the request",
    bad_output: "answered with unusable output",
    truncated: "answer was cut off",
    aborted: "cancelled",
    internal: "failed unexpectedly",
  };
  return words[kind];
}
