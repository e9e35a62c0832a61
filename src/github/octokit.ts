import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";
import { lightFetch } from "./light-fetch.js";
import { type HookOptions, serialiseBody } from "./octokit-json.js";
import { currentWritePacer } from "./write-pacer.js";

export type GitHub = InstanceType<typeof ProbotOctokit>;

// plugin-retry's default list plus 429: a 429 is a rate limit, and the throttling plugin owns
// those (it honours retry-after; plugin-retry would not).
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

type WriteGroups = { write: Bottleneck.Group; notifications: Bottleneck.Group };
let localGroups: WriteGroups | undefined;
const clusteredGroups = new WeakMap<object, WriteGroups>();

/**
 * plugin-throttling's write limiters, keyed by installation, with its fixed gaps taken out: its
 * own space every write 1 s and every notifying POST 3 s (about 20 writes a minute). Writes stay
 * one at a time per installation (shared by every process with Redis, as Probot passes its
 * Bottleneck and connection); when each may start is the pacer's (`writePacing`).
 */
function writeGroups(throttle: Record<string, unknown>): WriteGroups {
  const connection = throttle.connection as Bottleneck.IORedisConnection | undefined;
  if (!connection && localGroups) return localGroups;
  if (connection) {
    const shared = clusteredGroups.get(connection);
    if (shared) return shared;
  }
  const B = (throttle.Bottleneck as typeof Bottleneck | undefined) ?? Bottleneck;
  const common = {
    timeout: typeof throttle.timeout === "number" ? throttle.timeout : 120_000,
    ...(connection ? { connection } : {}),
  };
  const groups: WriteGroups = {
    write: new B.Group({ id: "critic-write", maxConcurrent: 1, ...common }),
    notifications: new B.Group({ id: "critic-content-writes", maxConcurrent: 1, ...common }),
  };
  if (connection) clusteredGroups.set(connection, groups);
  else localGroups = groups;
  return groups;
}

/**
 * Which writes count as content creation: every REST write; GraphQL here only reads. On GitHub
 * Enterprise Server the path carries the API prefix (`/api/v3/…`, `/api/graphql`).
 */
export function isContentWrite(path: string): boolean {
  return !/(?:^|\/)graphql$/.test(path);
}

/** A request that creates or changes content: a REST write, or a GraphQL mutation. */
export function countsAsWrite(options: {
  method?: string;
  url?: string;
  query?: unknown;
}): boolean {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const path = (options.url ?? "").split("?")[0] ?? "";
  // The App's own endpoints (an installation token being minted, inside a write that waits for
  // it) create no content; pacing them would queue the token behind the write that needs it.
  if (/^(?:\/api\/v3)?\/app(?:\/|$)/.test(path)) return false;
  if (isContentWrite(path)) return true;
  return typeof options.query === "string" && /^\s*mutation\b/.test(options.query);
}

/** Sends an installation's writes through the pacer; reads and app-level calls go straight. */
const writePacing: Parameters<typeof ProbotOctokit.plugin>[0] = (octokit, options) => {
  const installation = (options.auth as { installationId?: number | string } | undefined)
    ?.installationId;
  if (installation === undefined) return;
  octokit.hook.wrap("request", async (request, requestOptions) =>
    countsAsWrite(requestOptions as { method?: string; url?: string; query?: unknown })
      ? currentWritePacer().run(String(installation), async () => request(requestOptions))
      : request(requestOptions),
  );
};

/**
 * Request bodies serialised by the engine's `JSON.stringify` rather than Octokit's BigInt-aware
 * serialiser (see octokit-json.ts): the same text, a fraction of the main thread's time. Octokit
 * still parses answers itself: taking them over costs a stream per response, about what it saves.
 */
const engineJson: Parameters<typeof ProbotOctokit.plugin>[0] = (octokit) => {
  octokit.hook.wrap("request", async (request, requestOptions) => {
    serialiseBody(requestOptions as HookOptions);
    return request(requestOptions);
  });
};

/**
 * Probot's Octokit with the retry policy set on purpose:
 * - the throttle bucket is per installation (Probot's event clients share one "no-id" bucket, so
 *   one busy organisation would slow every other), and its writes are paced by GitHub's
 *   content-creation limits as a window (`writePacing`), not plugin-throttling's fixed gaps;
 * - a secondary rate limit is retried after `retry-after`, at most twice;
 * - a primary limit is waited out only when it resets within a minute;
 * - 5xx and network errors are retried by plugin-retry; 4xx never;
 * - requests go over `node:http(s)` rather than `fetch` (lightFetch: a fraction of the CPU).
 * The function form of `defaults` is required: the object form is merged under Probot's own
 * throttle options and silently loses (probot/probot#2039).
 */
export const CriticOctokit = ProbotOctokit.plugin(writePacing, engineJson).defaults(
  (options: ConstructorParameters<typeof ProbotOctokit>[0] & Record<string, unknown>) => {
    const auth = options.auth as { installationId?: number | string } | undefined;
    const throttle = (options.throttle ?? {}) as Record<string, unknown>;
    const retry = (options.retry ?? {}) as Record<string, unknown>;
    const request = (options.request ?? {}) as Record<string, unknown>;
    return {
      ...options,
      // A caller's own fetch (a test's, an Action runner's) stands; see light-fetch.ts.
      request: { ...request, fetch: request.fetch ?? lightFetch },
      throttle: {
        ...throttle,
        id: String(auth?.installationId ?? throttle.id ?? "app"),
        ...writeGroups(throttle),
        triggersNotification: isContentWrite,
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
