import type { Logger } from "pino";
import { classifyGitHubError } from "./github-error.js";
import { CriticOctokit, type GitHub } from "./octokit.js";
import type { TokenPool } from "./token-pool.js";

// The slice of Octokit's request function an auth hook uses.
type Endpoint = { method: string; url: string; headers: Record<string, string | undefined> };
type Response = { headers: Record<string, unknown> };
type RequestFn = ((endpoint: Endpoint) => Promise<Response>) & {
  endpoint: { merge(route: unknown, parameters?: unknown): Endpoint };
};
type HttpError = { response?: { headers?: Record<string, unknown> } };

const READS = new Set(["GET", "HEAD"]);

/**
 * An Octokit auth strategy over a token pool: each request carries the pooled token with the most
 * quota left; a token GitHub reports exhausted (403/429 with `x-ratelimit-remaining: 0`) or
 * refuses (401) is set aside and the request is tried once with each other token. It serves reads
 * only: anything that writes must come from the App's installation token, so a comment is never
 * posted as one of the operator's accounts.
 */
export function createTokenPoolAuth(options: { pool: TokenPool; log?: Logger }) {
  const { pool, log } = options;
  const hook = async (request: RequestFn, route: unknown, parameters?: unknown) => {
    const endpoint = request.endpoint.merge(route, parameters);
    if (!READS.has(endpoint.method.toUpperCase()))
      throw new Error(
        `[critic] the GITHUB_TOKENS pool only reads; ${endpoint.method} ${endpoint.url} needs the App's installation token`,
      );
    const tried = new Set<number>();
    let last: unknown;
    for (;;) {
      const pick = pool.pick(tried);
      if (!pick) {
        if (last) throw last;
        const reset = pool.nextReset();
        throw new Error(
          reset
            ? `[critic] every token in GITHUB_TOKENS is rate-limited until ${new Date(reset).toISOString()}`
            : "[critic] no usable token in GITHUB_TOKENS (GitHub refused each one)",
        );
      }
      tried.add(pick.index);
      endpoint.headers.authorization = `token ${pick.token}`;
      try {
        const response = await request(endpoint);
        pool.record(pick.index, response.headers);
        return response;
      } catch (error) {
        const headers = (error as HttpError).response?.headers;
        if (headers) pool.record(pick.index, headers);
        const failure = classifyGitHubError(error);
        if (failure.kind === "unauthorized") {
          pool.retire(pick.index);
          log?.warn(
            { token: pick.index },
            "GitHub refused a GITHUB_TOKENS token; it is not used again",
          );
        } else if (failure.kind === "primary-limit") {
          log?.info({ token: pick.index }, "a GITHUB_TOKENS token is exhausted until its reset");
        } else {
          throw error;
        }
        last = error;
      }
    }
  };
  return Object.assign(async () => ({ type: "token-pool" as const, tokens: pool.size }), { hook });
}

/**
 * A read-only client for public repositories over the pool. It keeps CriticOctokit's throttling
 * and retries; it has no installation, so it is never handed to code that writes.
 */
export function createPoolOctokit(options: {
  pool: TokenPool;
  log?: Logger;
  baseUrl?: string | undefined;
  request?: Record<string, unknown>;
}): GitHub {
  return new CriticOctokit({
    authStrategy: () =>
      createTokenPoolAuth({ pool: options.pool, ...(options.log ? { log: options.log } : {}) }),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.request ? { request: options.request } : {}),
    throttle: { id: "token-pool" },
  });
}
