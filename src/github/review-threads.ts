import { parseFindingMarker } from "../render/markers.js";
import type { GitHub } from "./octokit.js";
import type { PullRef } from "./pull-request.js";

/** What became of one of Critic's inline comments, as its review thread shows it. */
export type CriticThread = {
  /** The thread's GraphQL node id (what `resolveReviewThread` takes). */
  id: string;
  /** The first comment's REST id. */
  commentId: number;
  path: string;
  line: number | undefined;
  /** The finding's fingerprint from the comment's hidden marker, when it has one. */
  fingerprint: string | undefined;
  /** Resolved, and by whom: a person (acted on), or Critic (the code under it changed). */
  resolvedBy: "person" | "critic" | undefined;
  /** GitHub's word that the code under the comment changed since it was posted. */
  outdated: boolean;
  /** Replies by people (not bots). */
  replies: number;
  /** A person's reply that turns the finding down ("not an issue", "won't fix", "don't flag"). */
  dismissed: boolean;
  thumbsUp: number;
  thumbsDown: number;
};

type Comment = {
  fullDatabaseId?: string | number | null;
  body?: string | null;
  viewerDidAuthor?: boolean | null;
  author?: { __typename?: string; login?: string } | null;
  reactionGroups?: Array<{ content?: string; reactors?: { totalCount?: number } }> | null;
} | null;
type Thread = {
  id?: string;
  isResolved?: boolean;
  isOutdated?: boolean;
  path?: string;
  line?: number | null;
  originalLine?: number | null;
  resolvedBy?: { login?: string } | null;
  comments?: { nodes?: Comment[] | null } | null;
} | null;
export type ThreadsAnswer = {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: Thread[] | null;
} | null;

/** The GraphQL selection of a pull request's review threads (100 threads, 20 comments each). */
export const THREADS_FIELDS =
  "reviewThreads(first: 100) { nodes { id isResolved isOutdated path line originalLine resolvedBy { login } comments(first: 20) { nodes { fullDatabaseId body viewerDidAuthor author { __typename login } reactionGroups { content reactors { totalCount } } } } } }";

// A reply that turns the finding down. A question ("is this an issue?") is not one.
const DISMISSAL =
  /\b(?:not an? (?:issue|problem|bug)|false positive|won'?t fix|wontfix|by design|intended|intentional|don'?t flag|do not flag|stop flagging|ignore this)\b/i;

/**
 * Critic's own threads among a pull request's review threads: those whose first comment this
 * token wrote. The rest are people's conversations and are left alone.
 */
export function criticThreads(answer: ThreadsAnswer | undefined): CriticThread[] {
  const threads: CriticThread[] = [];
  for (const thread of answer?.nodes ?? []) {
    const comments = thread?.comments?.nodes ?? [];
    const first = comments[0];
    if (!thread?.id || !first?.viewerDidAuthor || first.author?.__typename !== "Bot") continue;
    const commentId = Number(first.fullDatabaseId);
    if (!Number.isSafeInteger(commentId)) continue;
    const people = comments.slice(1).filter((c) => c && c.author?.__typename !== "Bot");
    const resolver = thread.resolvedBy?.login;
    threads.push({
      id: thread.id,
      commentId,
      path: thread.path ?? "",
      line: thread.line ?? thread.originalLine ?? undefined,
      fingerprint: fingerprintOf(first.body ?? ""),
      resolvedBy: !thread.isResolved
        ? undefined
        : resolver === undefined || first.author.login === resolver
          ? "critic"
          : "person",
      outdated: thread.isOutdated === true,
      replies: people.length,
      dismissed: people.some(
        (c) => !(c?.body ?? "").trimStart().startsWith("/") && DISMISSAL.test(c?.body ?? ""),
      ),
      thumbsUp: reactions(first, "THUMBS_UP"),
      thumbsDown: reactions(first, "THUMBS_DOWN"),
    });
  }
  return threads;
}

function reactions(comment: Comment, content: string): number {
  const group = comment?.reactionGroups?.find((g) => g.content === content);
  return group?.reactors?.totalCount ?? 0;
}

/** The fingerprint in a Critic comment's hidden finding marker, if any. */
export function fingerprintOf(body: string): string | undefined {
  return parseFindingMarker(body)?.fingerprint;
}

/**
 * Findings a person settled on this pull request: their threads were resolved by a person or
 * turned down in a reply. A later review does not raise them again.
 */
export function settledFingerprints(threads: readonly CriticThread[]): Set<string> {
  const settled = new Set<string>();
  for (const t of threads)
    if (t.fingerprint && (t.resolvedBy === "person" || t.dismissed)) settled.add(t.fingerprint);
  return settled;
}

/** Critic's open threads whose code a push changed: Critic resolves them itself. */
export function threadsToResolve(threads: readonly CriticThread[]): CriticThread[] {
  return threads.filter((t) => t.resolvedBy === undefined && t.outdated && !t.dismissed);
}

/**
 * Resolves one of Critic's threads (a GraphQL mutation, paced as a write). GitHub asks for the
 * Contents: write permission for it; without it the answer is FORBIDDEN, and the caller goes on.
 */
export async function resolveThread(gh: GitHub, threadId: string): Promise<void> {
  await gh.graphql(
    "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }",
    { id: threadId },
  );
}

/** A pull request's threads on their own (when it is closed: the last look at its outcomes). */
export async function readThreads(gh: GitHub, ref: PullRef): Promise<CriticThread[]> {
  const data = await gh.graphql<{
    repository?: { pullRequest?: { reviewThreads?: ThreadsAnswer } | null } | null;
  }>(
    `query($owner: String!, $repo: String!, $number: Int!) { repository(owner: $owner, name: $repo) { pullRequest(number: $number) { ${THREADS_FIELDS} } } }`,
    { owner: ref.owner, repo: ref.repo, number: ref.pullNumber },
  );
  return criticThreads(data.repository?.pullRequest?.reviewThreads);
}
