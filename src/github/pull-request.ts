import type { ChangedFile, FileStatus } from "../model/types.js";
import { isGitHubError } from "./github-error.js";
import type { GitHub } from "./octokit.js";
import { postOnce } from "./post-once.js";

export type PullRef = { owner: string; repo: string; pullNumber: number };

/** The PR's files with their patches; GitHub lists at most 3,000, 100 per page. */
export async function listPullFiles(gh: GitHub, ref: PullRef): Promise<ChangedFile[]> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    per_page: 100,
  });
  return files.map((f) => ({
    path: f.filename,
    previousPath: f.previous_filename,
    status: f.status as FileStatus,
    additions: f.additions,
    deletions: f.deletions,
    patch: f.patch,
  }));
}

export type IssueComment = { id: number; body: string };

/**
 * Who Critic is on GitHub: the App (by id; 0 when unknown), or in a GitHub Action the bot the
 * workflow's token writes as (`github-actions[bot]`).
 */
export type OwnIdentity = { appId: number; botLogin?: string | undefined };

/**
 * Critic's own summary comment on the PR: it carries the marker AND was written by a bot (by this
 * App when its id is known, by the Action's bot in an Action). A human quoting the marker cannot
 * hijack the summary.
 */
export async function findOwnComment(
  gh: GitHub,
  ref: PullRef,
  marker: string,
  own: OwnIdentity,
): Promise<IssueComment | undefined> {
  const comments = await gh.paginate(gh.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.pullNumber,
    per_page: 100,
  });
  const found = comments.find(
    (c) =>
      c.body?.includes(marker) === true &&
      c.user?.type === "Bot" &&
      (own.botLogin !== undefined
        ? c.user.login === own.botLogin
        : own.appId === 0 || c.performed_via_github_app?.id === own.appId),
  );
  return found ? { id: found.id, body: found.body ?? "" } : undefined;
}

/** How a creation that GitHub answered with a 5xx is retried (see upsertComment). */
export type CreateAgain = {
  /** Looks the comment up again (by its marker). */
  find: () => Promise<IssueComment | undefined>;
  sleep: (ms: number) => Promise<void>;
};

/**
 * Creates the comment, or edits it in place when it exists and its text changed. With `again`, a
 * creation that failed with a 5xx (it may have landed all the same) is looked up, then posted
 * again only when it is not there: twice more, after waits, never blindly re-posted.
 */
export async function upsertComment(
  gh: GitHub,
  ref: PullRef,
  existing: IssueComment | undefined,
  body: string,
  again?: CreateAgain,
): Promise<IssueComment> {
  if (!existing) return createCommentOnce(gh, ref, body, again);
  if (existing.body !== body) {
    try {
      await gh.rest.issues.updateComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: existing.id,
        body,
      });
    } catch (error) {
      // Somebody deleted it since: the pull request gets a new one.
      if (!isGitHubError(error, "not-found")) throw error;
      return createCommentOnce(gh, ref, body, undefined);
    }
  }
  return { id: existing.id, body };
}

// After a 5xx on a summary's creation: a look and a POST at once, then another a little later. One
// retry lost about one summary a run in `npm run soak` (5 % of GitHub's answers 502, so two in a
// row happen somewhere among 200 pull requests); GitHub's own blips rarely outlast two seconds.
const CREATE_RETRY_DELAYS_MS = [0, 2_000] as const;

/** The summary is posted once (see postOnce); plugin-retry does not re-POST it. */
async function createCommentOnce(
  gh: GitHub,
  ref: PullRef,
  body: string,
  again: CreateAgain | undefined,
): Promise<IssueComment> {
  const post = async () => {
    const { data } = await gh.rest.issues.createComment({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.pullNumber,
      body,
      ...(again ? { request: { retries: 0 } } : {}),
    });
    return { id: data.id, body };
  };
  if (!again) return post();
  return postOnce({
    post,
    findLanded: async () => {
      const landed = await again.find();
      return landed ? upsertComment(gh, ref, landed, body) : undefined;
    },
    retryDelaysMs: CREATE_RETRY_DELAYS_MS,
    sleep: again.sleep,
  });
}

export type ReviewComment = {
  path: string;
  body: string;
  line: number;
  side: "RIGHT";
  start_line?: number;
  start_side?: "RIGHT";
};

/** Critic comments or requests changes; it never approves. */
export type ReviewEvent = "COMMENT" | "REQUEST_CHANGES";

/**
 * Posts one review with its event in the same call, so no PENDING review is ever left behind.
 * Never retried by plugin-retry: a POST that failed with 5xx may still have landed.
 */
export async function createReview(
  gh: GitHub,
  ref: PullRef,
  review: { commitId: string; body: string; comments: ReviewComment[]; event: ReviewEvent },
  /** Aborted when a newer push supersedes this head: the POST, waiting its turn, is not sent. */
  signal?: AbortSignal,
): Promise<void> {
  await gh.rest.pulls.createReview({
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    commit_id: review.commitId,
    event: review.event,
    body: review.body,
    comments: review.comments,
    request: { retries: 0, ...(signal ? { signal } : {}) },
  });
}

/**
 * What changed from `base` to `head` (three-dot compare: from their merge base). "missing" when a
 * commit is gone (a force-push can let GitHub collect it). `files` is capped at 300 by GitHub.
 * https://docs.github.com/en/rest/commits/commits#compare-two-commits
 */
export async function compareCommits(
  gh: GitHub,
  ref: PullRef,
  base: string,
  head: string,
): Promise<{ status: string; files: ChangedFile[] } | "missing"> {
  try {
    const { data } = await gh.rest.repos.compareCommitsWithBasehead({
      owner: ref.owner,
      repo: ref.repo,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    const files = (data.files ?? []).map((f) => ({
      path: f.filename,
      previousPath: f.previous_filename,
      status: f.status as FileStatus,
      additions: f.additions,
      deletions: f.deletions,
      patch: f.patch,
    }));
    return { status: data.status, files };
  } catch (error) {
    if (isGitHubError(error, "not-found")) return "missing";
    throw error;
  }
}

/** The PR's current head commit and state, read fresh (not from the webhook that queued the job). */
export async function getPullHead(
  gh: GitHub,
  ref: PullRef,
): Promise<{ sha: string; open: boolean }> {
  const { data } = await gh.rest.pulls.get({
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
  });
  return { sha: data.head.sha, open: data.state === "open" };
}

/** True when a bot's review whose body holds `marker` already exists on the PR. */
export async function hasReviewWithMarker(
  gh: GitHub,
  ref: PullRef,
  marker: string,
): Promise<boolean> {
  const reviews = await gh.paginate(gh.rest.pulls.listReviews, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    per_page: 100,
  });
  return reviews.some((r) => r.user?.type === "Bot" && r.body?.includes(marker) === true);
}

/**
 * Dismisses the bot's earlier change requests that carry `markerPrefix`: the quality gate passes
 * now, and a stale request would go on blocking the merge. Returns how many were dismissed.
 * https://docs.github.com/en/rest/pulls/reviews#dismiss-a-review-for-a-pull-request
 */
export async function dismissChangeRequests(
  gh: GitHub,
  ref: PullRef,
  markerPrefix: string,
  message: string,
): Promise<number> {
  const reviews = await gh.paginate(gh.rest.pulls.listReviews, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    per_page: 100,
  });
  const stale = reviews.filter(
    (r) =>
      r.state === "CHANGES_REQUESTED" &&
      r.user?.type === "Bot" &&
      r.body?.includes(markerPrefix) === true,
  );
  for (const review of stale) {
    await gh.rest.pulls.dismissReview({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.pullNumber,
      review_id: review.id,
      message,
    });
  }
  return stale.length;
}

/**
 * Answers a command where it was given: in the conversation for a PR comment, in the same thread
 * for a review comment (replies go to the thread's first comment, as GitHub requires).
 */
export async function replyToComment(
  gh: GitHub,
  ref: PullRef,
  comment: { id: number; kind: "issue" | "review"; thread?: { rootId: number } | undefined },
  body: string,
): Promise<void> {
  if (comment.kind === "review") {
    await gh.rest.pulls.createReplyForReviewComment({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.pullNumber,
      comment_id: comment.thread?.rootId ?? comment.id,
      body,
    });
  } else {
    await gh.rest.issues.createComment({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.pullNumber,
      body,
    });
  }
}
