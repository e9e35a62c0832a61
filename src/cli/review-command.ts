import { readEnv } from "../config/env.js";
import { CONFIG_PATH } from "../config/repo-config.schema.js";
import { reviewChanges } from "../engine/review-changes.js";
import { createLogger } from "../logging/create-logger.js";
import type { FileDecision, ReviewResult } from "../model/review-result.js";
import { SEVERITIES, type Severity } from "../model/types.js";
import { renderCommentText } from "../render/render-comment.js";
import { renderSummary, summaryOf } from "../render/render-summary.js";
import { createRuntime } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";
import { VERSION } from "../version.js";
import { loadGitSources, readGitFile } from "./local-sources.js";
import type { ReviewOptions } from "./parse-cli-args.js";
import { readCliEnv } from "./read-cli-env.js";
import { readLocalDiff, resolveLocalConfig } from "./review-local.js";

export type CliIo = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  cwd: string;
  /** Defaults to the process environment. */
  env?: NodeJS.ProcessEnv | undefined;
};

const HUNKS_ONLY =
  "Reviewed from the diff alone: the static rules read its hunks only, not whole files, and the default configuration applies (add --repo <dir> to read the files, .github/critic.yml and rules from a repository's HEAD).";

/**
 * `critic review`: 0 when the review ran (an empty diff: nothing to review), 1 when a finding
 * meets `--fail-on`, 2 for input that is not a diff or any failure to read or review it.
 */
export async function runReview(options: ReviewOptions, io: CliIo): Promise<number> {
  try {
    const env = readEnv(await readCliEnv(options.dotenv, io));
    const input = await readLocalDiff({ ...options, cwd: io.cwd, stdin: io.stdin });
    if (input.kind === "not-a-diff") {
      io.stderr.write(
        `critic: ${input.source} is not a unified diff: ${input.why}. Give the output of \`git diff\` or \`diff -u\`.\n`,
      );
      return 2;
    }
    if (input.kind === "empty") {
      const what = `Nothing to review: ${input.source} is empty (no changes).`;
      io.stdout.write(
        options.format === "json"
          ? `${JSON.stringify({ files: [], inline: [], summaryOnly: [], notes: [what] }, null, 2)}\n`
          : `${what}\n`,
      );
      return 0;
    }
    const secrets = createRedactor(env.secrets);
    const log = await createLogger(
      { level: "warn", format: "json", destination: io.stderr },
      secrets,
    );
    const { core } = createRuntime(env, "cli", { log, secrets });
    if (!core.model.hasModel)
      io.stderr.write(
        "critic: no AI provider configured (set OPENAI_API_KEY or GEMINI_API_KEY); running static checks only.\n",
      );
    const head = input.head;
    const { config, errors } = resolveLocalConfig(
      head ? await readGitFile(head, CONFIG_PATH) : undefined,
    );
    const result = await reviewChanges(
      { ...core, log },
      {
        pr: { title: "Local changes", body: "" },
        files: input.files,
        config,
        limits: core.limits,
        loadSources: head ? (paths) => loadGitSources(head, paths) : undefined,
        signal: new AbortController().signal,
      },
    );
    const notes = [
      ...errors.map((e) => `Invalid configuration, using the defaults: ${e}`),
      ...(head ? [] : [HUNKS_ONLY]),
      ...result.notes,
    ];
    const decisions = result.decisions.map(localWording);
    io.stdout.write(
      options.format === "json"
        ? renderJson(result, decisions, notes)
        : renderMarkdown(result, decisions, notes, head?.sha ?? "local"),
    );
    return failOn(result, options.failOn, io.stderr) ? 1 : 0;
  } catch (error) {
    io.stderr.write(`critic: ${(error as Error).message}\n`);
    return 2;
  }
}

/** True (and says why) when a listed finding is at `threshold` or more severe. */
function failOn(
  result: ReviewResult,
  threshold: Severity | undefined,
  stderr: NodeJS.WritableStream,
): boolean {
  if (threshold === undefined) return false;
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const count = [...result.inline, ...result.summaryOnly].filter(
    (f) => rank(f.severity) <= rank(threshold),
  ).length;
  if (count === 0) return false;
  stderr.write(
    `critic: ${count} ${count === 1 ? "finding is" : "findings are"} ${threshold === "critical" ? "critical" : `${threshold} or worse`} (--fail-on ${threshold}).\n`,
  );
  return true;
}

/** The engine words a file without a patch as GitHub omits it; a local diff has no such file. */
function localWording(decision: FileDecision): FileDecision {
  return decision.reason?.includes("from GitHub")
    ? { ...decision, reason: "no text diff (a binary file, or a mode change only)" }
    : decision;
}

function renderJson(result: ReviewResult, decisions: FileDecision[], notes: string[]): string {
  const { decisions: _, ...rest } = result;
  const files = decisions.map((d) => ({
    path: d.file.path,
    status: d.file.status,
    additions: d.file.additions,
    deletions: d.file.deletions,
    reviewed: d.reviewed,
    reason: d.reason,
  }));
  return `${JSON.stringify({ ...rest, notes, files }, null, 2)}\n`;
}

function renderMarkdown(
  result: ReviewResult,
  decisions: FileDecision[],
  notes: string[],
  headSha: string,
): string {
  const summary = renderSummary({
    ...summaryOf({ ...result, decisions }),
    headSha,
    version: VERSION,
    notes,
  });
  const comments = result.inline.map(
    (f) =>
      `#### \`${f.path}:${f.startLine === undefined ? f.line : `${f.startLine}-${f.line}`}\`\n\n${renderCommentText(f)}`,
  );
  return `${summary.replace(/<!--[^\n]*-->\n?/g, "").trim()}\n${comments.length > 0 ? `\n## Inline comments\n\n${comments.join("\n\n")}\n` : ""}`;
}
