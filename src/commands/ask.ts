import type { ResolvedRepoConfig } from "../config/resolve-repo-config.js";
import type { ReviewCore } from "../deps.js";
import { askAboutChanges } from "../engine/ask-about-changes.js";
import type { EngineDeps } from "../engine/review-changes.js";
import { estimateCost } from "../model/pricing.js";
import type { UsageLine } from "../model/review-result.js";
import type { ChangedFile } from "../model/types.js";

/**
 * Answers a question about a pull request through the engine (which sanitizes every text and cuts
 * the diff to one request's budget). Returns the reply's Markdown; it quotes the question first,
 * so it never starts with `/`.
 */
export async function answerQuestion(
  core: ReviewCore & Pick<EngineDeps, "log">,
  params: {
    question: string;
    pr: { title: string; body: string };
    files: readonly ChangedFile[];
    config: ResolvedRepoConfig["config"];
    thread?:
      | { path: string; line: number | undefined; diffHunk: string; comment: string }
      | undefined;
    signal: AbortSignal;
  },
): Promise<{ body: string; answered: boolean; usage: UsageLine[] }> {
  const quoted = params.question
    .split("\n")
    .map((l) => `> ${l}`)
    .join("\n");
  const outcome = await askAboutChanges(core, { ...params, limits: core.limits });
  if (!outcome.answer || !outcome.served) {
    const why =
      outcome.failed.map((f) => `${f.displayName}: ${f.failure}`).join("; ") ||
      "no AI provider is configured";
    return {
      body: `${quoted}\n\nCritic cannot answer questions right now (${why}).`,
      answered: false,
      usage: [],
    };
  }
  const usage = outcome.answer.usage
    ? ` · ${outcome.answer.usage.inputTokens.toLocaleString("en-US")} tokens in / ${outcome.answer.usage.outputTokens.toLocaleString("en-US")} out`
    : "";
  const footer = `<sub>Answered by ${outcome.served.displayName} \`${outcome.answer.model}\`${usage}</sub>`;
  return {
    body: core.redactor.redact(`${quoted}\n\n${outcome.answer.answer}\n\n${footer}`),
    answered: true,
    usage: outcome.answer.usage
      ? [
          {
            provider: outcome.served.displayName,
            model: outcome.answer.model,
            inputTokens: outcome.answer.usage.inputTokens,
            outputTokens: outcome.answer.usage.outputTokens,
            costUsd: estimateCost(outcome.answer.model, outcome.answer.usage, core.prices),
            requests: 1,
            cached: 0,
          },
        ]
      : [],
  };
}
