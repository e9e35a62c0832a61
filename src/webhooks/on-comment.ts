import type { Context } from "probot";
import { z } from "zod";
import type { CommandJob } from "../commands/command-job.js";
import { type Command, parseCommand, parseLearningReply } from "../commands/parse-command.js";
import type { SpendLimiter } from "../commands/spend-limiter.js";
import { loadRepoConfig } from "../github/load-repo-config.js";
import type { GitHub } from "../github/octokit.js";
import { hasWriteAccess, type PermissionCache } from "../github/permissions.js";
import { replyToComment } from "../github/pull-request.js";
import { react } from "../github/reactions.js";
import type { DeliveryLog } from "./delivery-log.js";
import { createMemoryRefusals, type RefusalLog } from "./refusal-log.js";

export const COMMENT_EVENTS = [
  "issue_comment.created",
  "pull_request_review_comment.created",
] as const;

const User = z.object({ login: z.string(), type: z.string() });
const Base = z.object({
  installation: z.object({ id: z.number().int().positive() }).optional(),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
  sender: User,
});
const Comment = z.object({
  id: z.number().int(),
  body: z.string().nullable(),
  user: User,
  performed_via_github_app: z.object({ id: z.number() }).nullable().optional(),
});
const IssueComment = Base.extend({
  issue: z.object({
    number: z.number().int(),
    pull_request: z.object({}).passthrough().optional(),
    user: User,
  }),
  comment: Comment,
});
const ReviewComment = Base.extend({
  pull_request: z.object({ number: z.number().int(), user: User }),
  comment: Comment.extend({
    in_reply_to_id: z.number().int().optional(),
    path: z.string(),
    line: z.number().int().nullable().optional(),
    diff_hunk: z.string(),
  }),
});

export type CommentHandlerDeps = {
  deliveries: DeliveryLog;
  enqueue(job: CommandJob): void | Promise<void>;
  permissions: PermissionCache;
  limiter: SpendLimiter;
  appId: number;
  /** A GitHub Action: events carry no installation; the workflow's token authenticates. */
  tokenAuth?: boolean | undefined;
  /** Where repositories keep their configuration (`CRITIC_CONFIG_PATH`). */
  configPath?: string | undefined;
  /** The App's slug (`critic` for @critic), for questions that mention it; undefined if unknown. */
  appSlug?: (() => Promise<string | undefined>) | undefined;
  /** Refusals already given (shared through Redis in Redis mode); this process's by default. */
  refusals?: RefusalLog | undefined;
};

// Commands that make Critic call a model count against the commenter's hourly budget.
const SPENDS: ReadonlySet<Command["name"]> = new Set(["review", "ask"]);
// Commands that change what Critic reports take write access: `commands.allow_author` does not
// let a pull request's author teach Critic to skip the findings on their own change.
const TEACHES: ReadonlySet<Command["name"]> = new Set(["learn", "forget"]);

/**
 * Slash-commands in PR comments and `/ask` replies in Critic's review threads. The handler only
 * parses, authorizes, rate-limits, acknowledges (👀) and queues; the work runs in the queue.
 * Bots, Critic itself included, are ignored, so Critic never talks to itself.
 */
export function onComment(deps: CommentHandlerDeps) {
  const refusals = deps.refusals ?? createMemoryRefusals();

  return async (context: Context<(typeof COMMENT_EVENTS)[number]>): Promise<void> => {
    // Bots first, before any call: Critic must never answer itself or another bot.
    const raw = context.payload as {
      sender?: { type?: string };
      comment?: { user?: { type?: string } };
    };
    if (raw.sender?.type === "Bot" || raw.comment?.user?.type === "Bot") return;
    let parsed = parse(context.name, context.payload);
    if (!parsed && context.name === "pull_request_review_comment" && deps.appSlug) {
      const body = (context.payload as { comment?: { body?: string } }).comment?.body ?? "";
      if (body.includes("@")) {
        const slug = await deps.appSlug();
        if (slug) parsed = parseMention(context.payload, slug);
      }
    }
    if (!parsed || (!parsed.payload.installation && !deps.tokenAuth)) return;
    if (await deps.deliveries.seen(context.id)) return;
    const { payload, command } = parsed;
    const job: CommandJob = {
      ...parsed.job,
      deliveryId: context.id,
      sender: payload.comment.user.login,
    };
    const commenter = payload.comment.user;
    if (
      payload.sender.type === "Bot" ||
      commenter.type === "Bot" ||
      payload.comment.performed_via_github_app?.id === deps.appId
    )
      return;

    const gh = context.octokit as unknown as GitHub;
    const repo = { owner: job.owner, repo: job.repo };
    const thread = job.comment.thread;
    if (thread && !(await isCriticComment(gh, repo, thread.rootId))) return;
    const reply = (body: string) =>
      replyToComment(gh, { ...repo, pullNumber: job.pullNumber }, job.comment, body);

    let allowed = await hasWriteAccess(gh, repo, commenter.login, deps.permissions);
    if (!allowed && commenter.login === parsed.author && !TEACHES.has(command.name)) {
      allowed = (await loadRepoConfig(gh, repo, deps.configPath)).config.commands.allow_author;
    }
    if (!allowed) {
      const key = `${job.owner}/${job.repo}#${job.pullNumber}`;
      context.log.info(
        { user: commenter.login, command: command.name },
        "command refused: no write access",
      );
      if (await refusals.first(key)) {
        await reply(
          `Sorry @${commenter.login}, only people with write access to this repository can run Critic's commands.`,
        );
      }
      return;
    }
    if (SPENDS.has(command.name)) {
      const budget = deps.limiter.take(`${job.owner}/${job.repo}:${commenter.login}`);
      if (!budget.ok) {
        const minutes = Math.max(1, Math.ceil(budget.retryInSeconds / 60));
        await reply(
          `@${commenter.login}, you have used your Critic commands for this hour in this repository. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
        );
        return;
      }
    }
    await react(gh, { ...repo, commentId: job.comment.id, kind: job.comment.kind }, "eyes");
    await deps.enqueue(job);
    context.log.info({ user: commenter.login, command: command.name }, "command queued");
  };
}

type Parsed = {
  payload: z.infer<typeof Base> & { comment: z.infer<typeof Comment> };
  command: Command;
  job: CommandJob;
  author: string;
};

/**
 * A reply in one of Critic's threads that mentions the App asks a question (`@critic why?`), or
 * tells Critic not to flag that finding (`@critic don't flag this: <reason>`).
 */
function parseMention(raw: unknown, slug: string): Parsed | undefined {
  const mention = new RegExp(`@${slug.replace(/[^A-Za-z0-9-]/g, "")}(\\[bot\\])?\\b`, "i");
  const result = ReviewComment.safeParse(raw);
  const body = result.success ? (result.data.comment.body ?? "") : "";
  if (!result.success || result.data.comment.in_reply_to_id === undefined || !mention.test(body))
    return undefined;
  const question = body.replace(mention, "").trim();
  if (question === "") return undefined;
  const ask = parse("pull_request_review_comment", {
    ...result.data,
    comment: { ...result.data.comment, body: `/ask ${question}` },
  });
  // "@critic don't flag this: <reason>" teaches Critic about the comment's finding.
  const learn = parseLearningReply(question);
  if (ask && learn)
    return { ...ask, command: learn, job: { ...ask.job, command: learn }, payload: result.data };
  return ask && { ...ask, payload: result.data };
}

function parse(name: string, raw: unknown): Parsed | undefined {
  const base = { deliveryId: "" };
  if (name === "issue_comment") {
    const result = IssueComment.safeParse(raw);
    if (!result.success || !result.data.issue.pull_request) return undefined;
    const p = result.data;
    const command = parseCommand(p.comment.body ?? "");
    if (!command) return undefined;
    return {
      payload: p,
      command,
      author: p.issue.user.login,
      job: {
        ...base,
        installationId: p.installation?.id ?? 0,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        pullNumber: p.issue.number,
        command,
        comment: { id: p.comment.id, kind: "issue" },
      },
    };
  }
  const result = ReviewComment.safeParse(raw);
  if (!result.success || result.data.comment.in_reply_to_id === undefined) return undefined;
  const p = result.data;
  const command = parseCommand(p.comment.body ?? "");
  // In a review thread only questions make sense: the thread is about one piece of code.
  if (command?.name !== "ask") return undefined;
  return {
    payload: p,
    command,
    author: p.pull_request.user.login,
    job: {
      ...base,
      installationId: p.installation?.id ?? 0,
      owner: p.repository.owner.login,
      repo: p.repository.name,
      pullNumber: p.pull_request.number,
      command,
      comment: {
        id: p.comment.id,
        kind: "review",
        thread: {
          rootId: p.comment.in_reply_to_id ?? p.comment.id,
          path: p.comment.path,
          line: p.comment.line ?? undefined,
          diffHunk: p.comment.diff_hunk,
        },
      },
    },
  };
}

// Critic's inline comments open with the severity label (see render-comment.ts).
const CRITIC_COMMENT = /^\*\*(?:🔴 Critical|🟠 Warning|💡 Suggestion)\*\* · /;

/** True when the review comment a thread starts with was written by Critic. */
async function isCriticComment(
  gh: GitHub,
  repo: { owner: string; repo: string },
  commentId: number,
): Promise<boolean> {
  const { data } = await gh.rest.pulls.getReviewComment({ ...repo, comment_id: commentId });
  return data.user?.type === "Bot" && CRITIC_COMMENT.test(data.body);
}
