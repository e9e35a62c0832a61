import { createRequire } from "node:module";

type Definition = { name: string; examples: Array<Record<string, unknown>> };

// The package's main is a JSON file; createRequire avoids import attributes under NodeNext.
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as Definition[];

/**
 * A deep copy of GitHub's own example payload for `event.action` that carries an installation,
 * with `overrides` applied to its pull_request.
 */
export function pullRequestPayload(
  action: string,
  overrides: Record<string, unknown> = {},
): PullRequestPayload {
  const example = definitions
    .find((d) => d.name === "pull_request")
    ?.examples.find((e) => e.action === action && e.installation !== undefined);
  if (!example) throw new Error(`no pull_request.${action} example with an installation`);
  const payload = structuredClone(example) as PullRequestPayload;
  Object.assign(payload.pull_request, overrides);
  return payload;
}

export type PullRequestPayload = {
  action: string;
  installation: { id: number };
  repository: { name: string; owner: { login: string } };
  pull_request: {
    number: number;
    head: { sha: string };
    title: string;
    body: string | null;
    draft?: boolean;
    state: string;
  };
  [key: string]: unknown;
};

/**
 * GitHub's `issue_comment.created` example turned into a comment on PR #2 (the examples have no
 * comment on a pull request), written by `login`.
 */
export function prCommentPayload(
  body: string,
  login = "maintainer",
  type = "User",
): Record<string, unknown> {
  const example = definitions
    .find((d) => d.name === "issue_comment")
    ?.examples.find((e) => e.action === "created" && e.installation !== undefined);
  if (!example) throw new Error("no issue_comment.created example with an installation");
  const payload = structuredClone(example) as {
    issue: Record<string, unknown>;
    comment: Record<string, unknown>;
    sender: Record<string, unknown>;
  };
  payload.issue.number = 2;
  payload.issue.pull_request = {
    url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
  };
  payload.issue.user = { login: "Codertocat", type: "User" };
  payload.comment.body = body;
  payload.comment.user = { ...(payload.comment.user as object), login, type };
  payload.sender = { ...payload.sender, login, type };
  return payload;
}

/** GitHub's `pull_request_review_comment.created` example as a reply to comment `rootId`. */
export function threadReplyPayload(
  body: string,
  rootId: number,
  login = "maintainer",
): Record<string, unknown> {
  const example = definitions
    .find((d) => d.name === "pull_request_review_comment")
    ?.examples.find((e) => e.action === "created" && e.installation !== undefined);
  if (!example)
    throw new Error("no pull_request_review_comment.created example with an installation");
  const payload = structuredClone(example) as {
    comment: Record<string, unknown>;
    sender: Record<string, unknown>;
  };
  payload.comment.body = body;
  payload.comment.in_reply_to_id = rootId;
  payload.comment.user = { ...(payload.comment.user as object), login, type: "User" };
  payload.sender = { ...payload.sender, login, type: "User" };
  return payload;
}

/** A deep copy of GitHub's own example payload for `event.action` (the first one listed). */
export function examplePayload(event: string, action: string): Record<string, unknown> {
  const example = definitions
    .find((d) => d.name === event)
    ?.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no ${event}.${action} example`);
  return structuredClone(example);
}
