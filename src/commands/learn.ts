import { NEVER_SUPPRESSED } from "../engine/learnings/apply-learnings.js";
import type { GitHub } from "../github/octokit.js";
import { orgOwnership } from "../github/org-membership.js";
import type { Learning } from "../model/learning.js";
import { neutraliseMarkup, parseFindingMarker } from "../render/markers.js";
import type { Learnings } from "../store/learnings.js";
import { LEARNING_LIMITS } from "../store/learnings.js";
import type { CommandJob } from "./command-job.js";
import type { Command } from "./parse-command.js";

export type LearningCommand = Extract<Command, { name: "learn" | "learnings" | "forget" }>;

/** The answer to post, and whether the command did what it was asked (🚀) or not (😕). */
export type LearningAnswer = { body: string; ok: boolean };

export const NO_DATABASE =
  'Learnings need Critic\'s history database, and this Critic runs without one (the GitHub Action, Redis mode without `DATABASE_URL`, or `CRITIC_HISTORY_RETENTION_DAYS=0`), so it cannot learn or list anything. Its operator can set one up: see README, "How Critic learns".';

// Rows listed by `/learnings`: 50 of at most 500 characters each stay well within a comment.
const MAX_LISTED = 50;

/**
 * `/learn`, a "don't flag this" reply, `/learnings` and `/forget`. Every text stored is redacted
 * and bounded by the store; every text echoed is neutralised, so a learning cannot forge one of
 * Critic's hidden markers in the reply.
 */
export async function runLearningCommand(
  learnings: Learnings | undefined,
  gh: GitHub,
  job: CommandJob,
  command: LearningCommand,
): Promise<LearningAnswer> {
  if (!learnings) return { body: NO_DATABASE, ok: false };
  switch (command.name) {
    case "learn":
      return command.reply
        ? learnFromReply(learnings, gh, job, command)
        : learnText(learnings, gh, job, command);
    case "learnings":
      return listLearnings(learnings, job);
    case "forget":
      return forget(learnings, gh, job, command.id);
  }
}

type Learn = Extract<Command, { name: "learn" }>;

async function learnFromReply(
  learnings: Learnings,
  gh: GitHub,
  job: CommandJob,
  command: Learn,
): Promise<LearningAnswer> {
  const thread = job.comment.thread;
  if (!thread) return { body: "Reply to one of Critic's inline comments to teach it.", ok: false };
  const { data } = await gh.rest.pulls.getReviewComment({
    owner: job.owner,
    repo: job.repo,
    comment_id: thread.rootId,
  });
  const marker = parseFindingMarker(data.body);
  if (!marker)
    return {
      body: "Critic cannot tell which finding this comment is about (it was posted before Critic could learn from replies). Use `/learn <text>` to tell it in words.",
      ok: false,
    };
  if (NEVER_SUPPRESSED.has(marker.rule))
    return {
      body: "Critic reports every committed secret, whatever was said about an earlier one, so it cannot learn to skip this. If it is not a real secret, `/learn <text>` can say so for the model; if it is, remove it and rotate it.",
      ok: false,
    };
  const learning = await learnings.add({
    scope: "repository",
    owner: job.owner,
    repo: job.repo,
    path: command.path,
    rule: marker.rule,
    category: marker.category,
    fingerprint: marker.fingerprint,
    commentPath: thread.path,
    text: command.text,
    createdBy: job.sender ?? "unknown",
  });
  if (!learning) return full();
  const where = command.path === undefined ? "" : ` in files matching \`${code(command.path)}\``;
  const what =
    marker.rule === "model"
      ? `Critic will not raise this finding again in this repository${where}, and tells its model why`
      : `Critic will not flag \`${code(marker.rule)}\` in this repository again${where}`;
  return {
    body: `Learned (#${learning.id}): ${what}.${quote(learning.text)}\n\n\`/forget ${learning.id}\` undoes it; \`/learnings\` lists what Critic learned here.`,
    ok: true,
  };
}

async function learnText(
  learnings: Learnings,
  gh: GitHub,
  job: CommandJob,
  command: Learn,
): Promise<LearningAnswer> {
  if (command.org) {
    const refused = await refuseUnlessOrgOwner(gh, job);
    if (refused) return refused;
  }
  const learning = await learnings.add({
    scope: command.org ? "organisation" : "repository",
    owner: job.owner,
    repo: command.org ? undefined : job.repo,
    path: command.path,
    rule: undefined,
    category: undefined,
    fingerprint: undefined,
    commentPath: undefined,
    text: command.text,
    createdBy: job.sender ?? "unknown",
  });
  if (!learning) return full();
  const scope = command.org ? `every repository of ${code(job.owner)}` : "this repository";
  const where = command.path === undefined ? "" : ` (files matching \`${code(command.path)}\`)`;
  return {
    body: `Learned (#${learning.id}) for ${scope}${where}: Critic gives this to its model as guidance in every review from now on.${quote(learning.text)}\n\n\`/forget ${learning.id}\` undoes it.`,
    ok: true,
  };
}

async function listLearnings(learnings: Learnings, job: CommandJob): Promise<LearningAnswer> {
  const all = await learnings.list(job.owner, job.repo);
  if (all.length === 0)
    return {
      body: "Critic has learned nothing about this repository yet. Reply `@critic don't flag this: <reason>` to one of its comments, or comment `/learn <text>`.",
      ok: true,
    };
  const rows = all
    .slice(0, MAX_LISTED)
    .map(
      (l) =>
        `| ${l.id} | ${l.scope === "organisation" ? "organisation" : "repository"} | ${cell(appliesTo(l))} | ${cell(l.text || "(no reason given)")} | ${cell(l.createdBy)} |`,
    );
  const more =
    all.length > MAX_LISTED
      ? `\n\n…and ${all.length - MAX_LISTED} more (the oldest are shown).`
      : "";
  return {
    body: `**What Critic learned about this repository** (${all.length})\n\n| Id | Scope | Applies to | Learning | By |\n| --- | --- | --- | --- | --- |\n${rows.join("\n")}${more}\n\n\`/forget <id>\` removes one.`,
    ok: true,
  };
}

async function forget(
  learnings: Learnings,
  gh: GitHub,
  job: CommandJob,
  id: number,
): Promise<LearningAnswer> {
  const learning = await learnings.get(id);
  const owner = job.owner.toLowerCase();
  const here =
    learning !== undefined &&
    learning.owner === owner &&
    (learning.scope === "organisation" || learning.repo === job.repo.toLowerCase());
  if (!learning || !here)
    return {
      body: `There is no learning #${id} for this repository. \`/learnings\` lists them.`,
      ok: false,
    };
  if (learning.scope === "organisation") {
    const refused = await refuseUnlessOrgOwner(gh, job);
    if (refused) return refused;
  }
  await learnings.remove(id);
  return { body: `Forgot learning #${id}.${quote(learning.text)}`, ok: true };
}

/** Organisation-wide learnings are their owners' to make and remove. */
async function refuseUnlessOrgOwner(
  gh: GitHub,
  job: CommandJob,
): Promise<LearningAnswer | undefined> {
  const ownership = job.sender ? await orgOwnership(gh, job.owner, job.sender) : "not-owner";
  if (ownership === "owner") return undefined;
  if (ownership === "no-permission")
    return {
      body: `Critic cannot tell whether you own the ${code(job.owner)} organisation: the App lacks the organisation permission Members: read. An owner can grant it in the App's installation settings; meanwhile \`/learn <text>\` (without \`org:\`) teaches this repository.`,
      ok: false,
    };
  return {
    body: `Only owners of the ${code(job.owner)} organisation can make or remove its learnings. \`/learn <text>\` (without \`org:\`) teaches this repository.`,
    ok: false,
  };
}

function full(): LearningAnswer {
  return {
    body: `Critic already keeps ${LEARNING_LIMITS.perScope} learnings here: \`/forget\` some (\`/learnings\` lists them) before teaching it more.`,
    ok: false,
  };
}

function appliesTo(l: Learning): string {
  const files = l.path === undefined ? "" : ` in \`${l.path}\``;
  if (l.rule === undefined) return `guidance${files}`;
  if (l.rule === "model") {
    const what = l.category ? `one ${l.category} finding` : "one finding";
    return `${what} in \`${l.commentPath ?? "?"}\`${files}`;
  }
  return `rule \`${l.rule}\`${files}`;
}

/** A user's text as a quote: markup neutralised, so it cannot pass for one of Critic's markers. */
function quote(text: string): string {
  if (text.trim() === "") return "";
  return `\n\n${neutraliseMarkup(text)
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n")}`;
}

function cell(text: string): string {
  return neutraliseMarkup(text)
    .replaceAll("|", "\\|")
    .replace(/\s*\n\s*/g, " ");
}

function code(text: string): string {
  return neutraliseMarkup(text).replaceAll("`", "'");
}
