import Bottleneck from "bottleneck";
import { ProbotOctokit } from "probot";

export type GitHub = InstanceType<typeof ProbotOctokit>;

// plugin-retry's default list plus 429: a 429 is a rate limit, and the throttling plugin owns
// those (it honours retry-after; plugin-retry would not).
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/**
 * How far apart one installation's content writes start: 75 a minute, under GitHub's secondary
 * limit of 80 content-creating requests a minute per installation, with room for clock jitter.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
export const CONTENT_WRITE_INTERVAL_MS = 800;

type WriteGroups = { write: Bottleneck.Group; notifications: Bottleneck.Group };
let localGroups: WriteGroups | undefined;
const clusteredGroups = new WeakMap<object, WriteGroups>();

/**
 * The throttle's write limiters, keyed by installation. plugin-throttling's own space every write
 * 1 s and every notifying POST (summary, review) 3 s: 20 reviews' POSTs a minute per installation
 * at most, and a backlog of 64 jobs waits over 3 minutes before its first review is posted. Here
 * every REST write of an installation is paced at `CONTENT_WRITE_INTERVAL_MS` instead (GraphQL
 * queries, which create nothing, are not). With Redis (Probot passes its Bottleneck and
 * connection), the limiters are shared by every process, as plugin-throttling's are.
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
    // plugin-throttling sends every write and GraphQL query through this one; the pacing is below.
    write: new B.Group({ id: "critic-write", maxConcurrent: 1, ...common }),
    notifications: new B.Group({
      id: "critic-content-writes",
      maxConcurrent: 1,
      minTime: CONTENT_WRITE_INTERVAL_MS,
      ...common,
    }),
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

/**
 * Probot's Octokit with the retry policy set on purpose:
 * - the throttle bucket is per installation (Probot's event clients share one "no-id" bucket, so
 *   one busy organisation would slow every other), and its writes are paced to GitHub's
 *   content-creation limit (see `writeGroups`);
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
