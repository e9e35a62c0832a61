import type { ResolvedRepoConfig } from "../config/resolve-repo-config.js";
import type { ReviewCore } from "../deps.js";
import type { AskInput } from "../providers/provider.js";
import { chunkFiles } from "../review/stages/chunk-files.js";
import { filterFiles } from "../review/stages/filter-files.js";
import { prepareFiles } from "../review/stages/prepare-files.js";
import type { ChangedFile } from "../review/types.js";
import { redactSpans, scanSecrets } from "../security/scan-secrets.js";

/**
 * Answers a question about a pull request. The context is the diff, filtered, with secrets
 * redacted, and cut to one request's budget (a question does not need the whole of a huge PR).
 * Returns the reply's Markdown; it quotes the question first, so it never starts with `/`.
 */
export async function answerQuestion(
  core: ReviewCore,
  params: {
    question: string;
    pr: { title: string; body: string };
    files: readonly ChangedFile[];
    config: ResolvedRepoConfig["config"];
    thread?: AskInput["thread"];
    signal: AbortSignal;
  },
): Promise<{ body: string; answered: boolean }> {
  const { config } = params;
  const decisions = filterFiles(params.files, {
    include: config.include,
    exclude: config.exclude,
    maxPatchBytes: core.limits.maxPatchBytes,
  });
  const prepared = await prepareFiles(decisions.filter((d) => d.reviewed).map((d) => d.file));
  const fitting =
    chunkFiles(prepared.files, {
      maxRequestTokens: core.limits.maxRequestTokens,
      maxReviewTokens: core.limits.maxRequestTokens,
    }).chunks[0]?.files ?? [];
  const clean = async (text: string) => {
    const known = core.redactor.redact(text);
    return redactSpans(known, await scanSecrets(known));
  };
  const thread = params.thread
    ? {
        ...params.thread,
        diffHunk: await clean(params.thread.diffHunk),
        comment: await clean(params.thread.comment),
      }
    : undefined;
  const input: AskInput = {
    question: await clean(params.question),
    pr: { title: await clean(params.pr.title), body: await clean(params.pr.body) },
    files: fitting,
    thread,
    config,
  };
  const quoted = params.question
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n");
  const outcome = await core.chain.ask(input, params.signal);
  if (!outcome.answer || !outcome.served) {
    const why =
      outcome.failed.map((f) => `${f.displayName}: ${f.failure}`).join("; ") ||
      "no AI provider is configured";
    return {
      body: `${quoted}\n\nCritic cannot answer questions right now (${why}).`,
      answered: false,
    };
  }
  const usage = outcome.answer.usage
    ? ` · ${outcome.answer.usage.inputTokens.toLocaleString("en-US")} tokens in / ${outcome.answer.usage.outputTokens.toLocaleString("en-US")} out`
    : "";
  const footer = `<sub>Answered by ${outcome.served.displayName} \`${outcome.answer.model}\`${usage}</sub>`;
  return {
    body: core.redactor.redact(`${quoted}\n\n${outcome.answer.answer}\n\n${footer}`),
    answered: true,
  };
}
