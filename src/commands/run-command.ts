import type { Logger } from "pino";
import { modelWithin } from "../budget/budgeted-model.js";
import type { ReviewCore } from "../deps.js";
import { loadRepoConfig } from "../github/load-repo-config.js";
import type { GitHub } from "../github/octokit.js";
import { listPullFiles, replyToComment } from "../github/pull-request.js";
import { type CommentRef, react } from "../github/reactions.js";
import type { SummaryIndex } from "../github/summary-index.js";
import type { SummaryLock } from "../github/summary-lock.js";
import { writeSummary } from "../github/write-summary.js";
import type { JobQueue } from "../queue/in-process-queue.js";
import type { PullHeads } from "../queue/pull-heads.js";
import { pullKey } from "../queue/review-job.js";
import { renderPaused } from "../render/render-summary.js";
import type { Clock } from "../resilience/clock.js";
import { type ReviewDeps, summaryStore } from "../review/review-deps.js";
import type { CommandHistory } from "../store/command-history.js";
import type { Learnings } from "../store/learnings.js";
import { type CommandEnd, recordCommand } from "../store/record-command.js";
import { answerQuestion } from "./ask.js";
import type { CommandJob } from "./command-job.js";
import { runLearningCommand } from "./learn.js";
import { HELP_TEXT } from "./parse-command.js";

export type CommandDeps = {
  auth(installationId: number): Promise<GitHub>;
  core: ReviewCore;
  /** One summary per pull request, whoever writes it first. */
  summaryLock?: SummaryLock | undefined;
  /** Each pull request's summary as last written (see ReviewDeps.summaries). */
  summaries?: SummaryIndex | undefined;
  /** Each pull request's newest head (see ReviewDeps.pullHeads). */
  pullHeads?: PullHeads | undefined;
  /** The daily model budget per installation: past it, `/ask` says so instead of asking. */
  budget?: ReviewDeps["budget"];
  reviews: JobQueue;
  /** Records `/pause` and `/resume` for reviews already running (see ReviewDeps.pauses). */
  pauses: Map<string, boolean>;
  appId: number;
  /** What people taught Critic; absent without a database (the commands say so). */
  learnings?: Learnings | undefined;
  /** Where each command's end is recorded; absent without a database. */
  commands?: CommandHistory | undefined;
  /** In a GitHub Action: the bot the workflow's token writes as, which finds its own summary. */
  botLogin?: string | undefined;
  version: string;
  log: Logger;
  /** Time for waits between attempts at a write GitHub failed. */
  clock?: Clock | undefined;
};

/**
 * Runs one accepted command and answers it: a reply comment (or a reply in the review thread),
 * then 🚀; on failure 😕 and a short reason. Then records how it ended (who, what, the result) in
 * the history, when there is one. Never throws.
 */
export async function runCommand(
  deps: CommandDeps,
  job: CommandJob,
  signal: AbortSignal,
): Promise<void> {
  const log = deps.log.child({
    delivery: job.deliveryId,
    pr: `${job.owner}/${job.repo}#${job.pullNumber}`,
    command: job.command.name,
  });
  const end = await answerCommand(deps, job, signal, log);
  await recordCommand(deps.commands, log, job, end);
}

async function answerCommand(
  deps: CommandDeps,
  job: CommandJob,
  signal: AbortSignal,
  log: Logger,
): Promise<CommandEnd> {
  const ref = { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
  const comment: CommentRef = {
    owner: job.owner,
    repo: job.repo,
    commentId: job.comment.id,
    kind: job.comment.kind,
  };
  let gh: GitHub | undefined;
  const reply = async (body: string) => {
    if (gh) await replyToComment(gh, ref, job.comment, body);
  };

  try {
    gh = await deps.auth(job.installationId);
    const command = job.command;
    switch (command.name) {
      case "help":
        await reply(HELP_TEXT);
        break;
      case "unknown":
        await reply(
          `Critic does not know \`${command.given.replaceAll("`", "")}\`.\n\n${HELP_TEXT}`,
        );
        break;
      case "pause":
      case "resume": {
        const paused = command.name === "pause";
        deps.pauses.set(pullKey(job), paused);
        await writeSummary(summaryStore(deps), {
          gh,
          ref,
          key: pullKey(job),
          known: "unknown",
          render: (current) => renderPaused(current?.body, deps.version, paused),
        });
        break;
      }
      case "config": {
        const { config, origins, errors } = await loadRepoConfig(gh, ref, deps.core.configPath);
        const rows = Object.entries(config).map(
          ([key, value]) =>
            `| \`${key}\` | \`${JSON.stringify(value).replaceAll("|", "\\|")}\` | ${origins?.[key] ?? "default"} |`,
        );
        const problems = errors.length > 0 ? `\n\n> ⚠️ ${errors.join("\n> ⚠️ ")}` : "";
        await reply(
          `**Critic configuration in effect**${problems}\n\n| Key | Value | From |\n| --- | --- | --- |\n${rows.join("\n")}`,
        );
        break;
      }
      case "learn":
      case "learnings":
      case "forget": {
        const answer = await runLearningCommand(deps.learnings, gh, job, command);
        await reply(deps.core.redactor.redact(answer.body));
        await react(gh, comment, answer.ok ? "rocket" : "confused");
        return answer.ok ? ANSWERED : { result: "refused", reason: firstLine(answer.body) };
      }
      case "review": {
        const { data: pr } = await gh.rest.pulls.get({
          owner: job.owner,
          repo: job.repo,
          pull_number: job.pullNumber,
        });
        if (pr.state !== "open") {
          await reply("This pull request is closed, so Critic did not review it.");
          await react(gh, comment, "confused");
          return { result: "refused", reason: "the pull request is closed" };
        }
        await deps.pullHeads?.record(pullKey(job), { sha: pr.head.sha, open: true });
        // The review reacts 🚀 or 😕 on this comment itself when it is done.
        await deps.reviews.enqueue({
          deliveryId: job.deliveryId,
          installationId: job.installationId,
          owner: job.owner,
          repo: job.repo,
          pullNumber: job.pullNumber,
          headSha: pr.head.sha,
          ...(pr.base?.sha ? { baseSha: pr.base.sha } : {}),
          title: pr.title,
          body: pr.body ?? "",
          draft: pr.draft === true,
          trigger: "command",
          full: command.full,
          ack: { commentId: job.comment.id, kind: job.comment.kind },
        });
        // Answered by queueing its review: how that ended is the review history's line.
        return ANSWERED;
      }
      case "ask": {
        const [{ config }, { data: pr }, files] = await Promise.all([
          loadRepoConfig(gh, ref, deps.core.configPath),
          gh.rest.pulls.get({ owner: job.owner, repo: job.repo, pull_number: job.pullNumber }),
          job.comment.thread ? Promise.resolve([]) : listPullFiles(gh, ref),
        ]);
        const thread = job.comment.thread;
        const root = thread
          ? (
              await gh.rest.pulls.getReviewComment({
                owner: job.owner,
                repo: job.repo,
                comment_id: thread.rootId,
              })
            ).data.body
          : "";
        const model = deps.budget
          ? await modelWithin(deps.core.model, deps.budget, job.installationId)
          : deps.core.model;
        const answer = await answerQuestion(
          { ...deps.core, model, log: deps.log },
          {
            question: command.question,
            pr: { title: pr.title, body: pr.body ?? "" },
            files,
            config,
            thread: thread
              ? { path: thread.path, line: thread.line, diffHunk: thread.diffHunk, comment: root }
              : undefined,
            signal,
          },
        );
        if (deps.budget)
          await deps.budget.ledger
            .record(job.installationId, answer.usage, deps.budget.now())
            .catch(() => undefined);
        await reply(answer.body);
        await react(gh, comment, answer.answered ? "rocket" : "confused");
        return answer.answered ? ANSWERED : { result: "refused", reason: firstLine(answer.body) };
      }
    }
    await react(gh, comment, "rocket");
    return ANSWERED;
  } catch (error) {
    log.error({ err: error }, "command failed");
    if (gh) {
      await reply(
        "Critic could not complete this command: GitHub or a provider failed. Try again in a moment.",
      ).catch(() => {});
      await react(gh, comment, "confused");
    }
    return { result: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

const ANSWERED: CommandEnd = { result: "answered" };

/** The reason a reply gave, for the history: its first line that is not a quote of the ask. */
function firstLine(body: string): string {
  return (
    body
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "" && !line.startsWith(">")) ?? ""
  );
}
