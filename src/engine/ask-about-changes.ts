import type { RepoConfig } from "../config/repo-config.schema.js";
import type { ReviewLimits } from "../model/review-result.js";
import type { ChangedFile } from "../model/types.js";
import type { ModelAnswer } from "./model-port.js";
import { chunkFiles } from "./pack/chunk-files.js";
import type { EngineDeps } from "./review-changes.js";
import { sanitizePaths } from "./sanitize/sanitize-files.js";
import {
  sanitizeConfig,
  sanitizePr,
  sanitizeText,
  sanitizeThread,
} from "./sanitize/sanitize-text.js";
import { filterFiles } from "./select/filter-files.js";

export type AskParams = {
  question: string;
  pr: { title: string; body: string };
  /** The change the question is about; may be empty (a question about findings alone). */
  files: readonly ChangedFile[];
  config: RepoConfig;
  limits: ReviewLimits;
  /** A review comment the question replies to, with its code context. */
  thread?:
    | { path: string; line: number | undefined; diffHunk: string; comment: string }
    | undefined;
  signal: AbortSignal;
};

/**
 * A question to a model about a change, through the same engine as reviews, with the stages a
 * question needs: select (the repository's filters), sanitize (every text: question, thread,
 * description, diff and paths), pack (one request's budget: a question does not need the whole of
 * a huge change), then the model port. No static checks and no anchoring.
 */
export async function askAboutChanges(deps: EngineDeps, params: AskParams): Promise<ModelAnswer> {
  const { config, limits } = params;
  // 1.
  const selected = filterFiles(params.files, {
    include: config.include,
    exclude: config.exclude,
    maxPatchBytes: limits.maxPatchBytes,
  })
    .filter((d) => d.reviewed)
    .map((d) => d.file);
  // 2. The files' scanning runs where the analyzer runs it (a worker thread on the server); a
  // file whose analysis fails is left out of the context.
  const secrets = deps.redactor.values();
  const analysed = (
    await deps.analyzer.analyze(
      selected.map((file) => ({
        file,
        review: false,
        countTokens: true,
        secrets,
        ruleSources: [],
        disabled: [],
      })),
      params.signal,
    )
  ).flatMap((result) => ("failed" in result ? [] : [result.file]));
  const [sanitized, question, pr, promptConfig, thread] = await Promise.all([
    sanitizePaths(analysed, deps.redactor),
    sanitizeText(deps.redactor, params.question),
    sanitizePr(deps.redactor, params.pr),
    sanitizeConfig(deps.redactor, config),
    params.thread ? sanitizeThread(deps.redactor, params.thread) : undefined,
  ]);
  // 3.
  const fitting =
    chunkFiles(sanitized.modelFiles, {
      maxRequestTokens: limits.maxRequestTokens,
      maxReviewTokens: limits.maxRequestTokens,
    }).chunks[0]?.files ?? [];
  // 4.
  return deps.model.ask(
    { question, pr, files: fitting, thread, config: promptConfig },
    params.signal,
  );
}
