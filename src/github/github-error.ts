/**
 * What went wrong with a GitHub call, as a type: callers branch on `kind`, never on message text or
 * a `status` field read off an unknown value.
 * https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
 */
export type GitHubError =
  | { kind: "not-found"; status: 404 }
  | { kind: "unauthorized"; status: 401 }
  /** 422: GitHub understood the request and refused its content (a line outside the diff, say). */
  | { kind: "validation"; status: 422 }
  /** The installation's hourly quota is used up until `resetAt` (ms since the epoch). */
  | { kind: "primary-limit"; status: 403 | 429; resetAt: number | undefined }
  /** Too many requests too fast; GitHub asked for a pause of `retryAfterMs` when it said. */
  | { kind: "secondary-limit"; status: 403 | 429; retryAfterMs: number | undefined }
  | { kind: "forbidden"; status: 403 }
  /** GitHub failed (5xx): the request may or may not have been carried out. */
  | { kind: "server"; status: number }
  | { kind: "client"; status: number }
  /** No answer at all (connection, timeout) or not an HTTP error. */
  | { kind: "network"; status: undefined };

type HttpLike = { status?: unknown; message?: unknown; response?: { headers?: unknown } };

/** Classifies anything Octokit (or fetch under it) throws. */
export function classifyGitHubError(error: unknown): GitHubError {
  const e = (typeof error === "object" && error !== null ? error : {}) as HttpLike;
  const status = typeof e.status === "number" ? e.status : undefined;
  if (status === undefined) return { kind: "network", status: undefined };
  const headers = (e.response?.headers ?? {}) as Record<string, unknown>;
  const header = (name: string) => {
    const value = headers[name];
    return value === undefined || value === null ? undefined : String(value);
  };
  if (status === 404) return { kind: "not-found", status };
  if (status === 401) return { kind: "unauthorized", status };
  if (status === 422) return { kind: "validation", status };
  if (status === 403 || status === 429) {
    if (header("x-ratelimit-remaining") === "0") {
      const reset = Number(header("x-ratelimit-reset"));
      return {
        kind: "primary-limit",
        status,
        resetAt: Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
      };
    }
    const retryAfter = Number(header("retry-after"));
    const message = typeof e.message === "string" ? e.message : "";
    if (status === 429 || header("retry-after") !== undefined || /secondary rate/i.test(message))
      return {
        kind: "secondary-limit",
        status,
        retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
      };
    return { kind: "forbidden", status: 403 };
  }
  if (status >= 500) return { kind: "server", status };
  return { kind: "client", status };
}

/** Whether `error` is GitHub answering with this kind of failure. */
export function isGitHubError(error: unknown, kind: GitHubError["kind"]): boolean {
  return classifyGitHubError(error).kind === kind;
}
