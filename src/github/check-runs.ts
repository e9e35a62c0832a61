import type { CheckAnnotation, CheckConclusion, CheckOutput } from "../model/check-run.js";
import type { GitHub } from "./octokit.js";

export type { CheckAnnotation, CheckConclusion, CheckOutput };

/** The name every Critic check run carries: branch protection requires checks by name. */
export const CHECK_NAME = "Critic";

/** GitHub takes at most 50 annotations per request; later requests append to the earlier ones. */
export const ANNOTATIONS_PER_REQUEST = 50;

export type RepoRef = { owner: string; repo: string };

/**
 * Creates the `Critic` check run on `headSha`, in progress. Needs the `checks: write` permission.
 * https://docs.github.com/en/rest/checks/runs#create-a-check-run
 */
export async function createCheckRun(
  gh: GitHub,
  ref: RepoRef,
  headSha: string,
  output: CheckOutput,
): Promise<number> {
  const { data } = await gh.rest.checks.create({
    owner: ref.owner,
    repo: ref.repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "in_progress",
    output,
  });
  return data.id;
}

/**
 * Completes a check run. The first 50 annotations go with the completing request and the rest
 * follow in further requests of 50, each resending the title and summary (GitHub requires them
 * with annotations and appends the annotations to those already there). The run is completed
 * first, so a failed later request can only lose annotations, never leave it in progress; if the
 * completing request itself is refused, it is sent again without annotations.
 * https://docs.github.com/en/rest/checks/runs#update-a-check-run
 */
export async function completeCheckRun(
  gh: GitHub,
  ref: RepoRef,
  checkRunId: number,
  conclusion: CheckConclusion,
  output: CheckOutput,
): Promise<void> {
  const { annotations = [], ...text } = output;
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const [first = [], ...rest] = batches;
  const finish = (output: CheckOutput) =>
    gh.rest.checks.update({
      owner: ref.owner,
      repo: ref.repo,
      check_run_id: checkRunId,
      status: "completed",
      conclusion,
      completed_at: new Date().toISOString(),
      output,
    });
  try {
    await finish(first.length > 0 ? { ...text, annotations: first } : text);
  } catch (error) {
    // GitHub rejects the whole request for one annotation it dislikes: the run must still be
    // completed, or a required check blocks the pull request for good.
    if (first.length === 0) throw error;
    await finish(text);
    throw Object.assign(new Error("GitHub refused the check run's annotations"), { cause: error });
  }
  for (const batch of rest) {
    await gh.rest.checks.update({
      owner: ref.owner,
      repo: ref.repo,
      check_run_id: checkRunId,
      output: { ...text, annotations: batch },
    });
  }
}
