import type { Logger } from "pino";
import {
  type CheckConclusion,
  type CheckOutput,
  completeCheckRun,
  createCheckRun,
  type RepoRef,
} from "../github/check-runs.js";
import { classifyGitHubError } from "../github/github-error.js";

import type { GitHub } from "../github/octokit.js";
import type { Redactor } from "../security/redactor.js";

/** The review's `Critic` check run, completed at most once. It never throws. */
export type CheckReport = {
  /** Absent when the run could not be created (no `checks: write`, say). */
  readonly id: number | undefined;
  complete(conclusion: CheckConclusion, output: CheckOutput): Promise<void>;
};

/**
 * Opens the review's check run in progress, or takes over `existingId` (a deferred review keeps
 * its run) without a call. A check run is a report on the review, never a condition of it: a
 * repository where the App may not write checks still gets its review, and any check-run failure
 * is only logged. Every text is redacted before it leaves.
 */
export async function startCheckReport(
  deps: { gh: GitHub; log: Logger; redactor: Redactor },
  params: { ref: RepoRef; headSha: string; existingId?: number | undefined },
): Promise<CheckReport> {
  const { gh, log, redactor } = deps;
  let id = params.existingId;
  if (id === undefined) {
    try {
      id = await createCheckRun(gh, params.ref, params.headSha, {
        title: "Reviewing…",
        summary: `Critic is reviewing \`${params.headSha.slice(0, 7)}\`.`,
      });
    } catch (error) {
      log.warn(
        { err: error, status: classifyGitHubError(error).status },
        "could not create the check run; reviewing without it",
      );
    }
  }
  let done = false;
  return {
    id,
    async complete(conclusion, output) {
      if (id === undefined || done) return;
      done = true;
      try {
        await completeCheckRun(gh, params.ref, id, conclusion, redactOutput(redactor, output));
      } catch (error) {
        log.warn(
          { err: error, status: classifyGitHubError(error).status, conclusion },
          "could not complete the check run",
        );
      }
    },
  };
}

function redactOutput(redactor: Redactor, output: CheckOutput): CheckOutput {
  const { title, summary, annotations } = output;
  return {
    title: redactor.redact(title),
    summary: redactor.redact(summary),
    ...(annotations
      ? { annotations: annotations.map((a) => ({ ...a, message: redactor.redact(a.message) })) }
      : {}),
  };
}
