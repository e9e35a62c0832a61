import { carryFindings } from "../engine/anchor/carry-findings.js";
import type { GitHub } from "../github/octokit.js";
import { compareCommits, type PullRef } from "../github/pull-request.js";
import type { PriorFinding } from "../model/review-result.js";
import type { ChangedFile } from "../model/types.js";
import type { ReviewJob } from "../queue/review-job.js";
import type { LastReview } from "./last-review.js";

export type Scope = {
  files: ChangedFile[];
  anchorTo?: ChangedFile[] | undefined;
  unchanged?: ChangedFile[] | undefined;
  prior?: { carried: PriorFinding[]; resolved: PriorFinding[] } | undefined;
  notes: string[];
};

/**
 * What this review covers. After an earlier review, only what changed since its commit (compare
 * `last...head`), with the earlier findings carried over; the whole pull request when there was
 * none, when asked (`/review full`), or when the earlier commit left the branch (force-push,
 * rebase), which the summary then says. `last` is the history's record of the last review, or
 * the summary's markers when it has none (see lastReview).
 */
export async function chooseScope(
  gh: GitHub,
  ref: PullRef,
  job: ReviewJob,
  previous: LastReview | undefined,
  prFiles: ChangedFile[],
): Promise<Scope> {
  const last = previous?.sha;
  if (!last || last === job.headSha || job.full) return { files: prFiles, notes: [] };
  const compared = await compareCommits(gh, ref, last, job.headSha);
  const short = last.slice(0, 7);
  if (compared === "missing" || compared.status !== "ahead" || compared.files.length >= 300) {
    const why =
      compared === "missing" || compared.status !== "ahead"
        ? `the last reviewed commit \`${short}\` is no longer part of this branch (force-push or rebase)`
        : "too much changed since the last review";
    return { files: prFiles, notes: [`Reviewed the whole pull request again: ${why}.`] };
  }
  const inPr = new Map(prFiles.map((f) => [f.path, f]));
  const changed = new Set(compared.files.map((f) => f.path));
  // A merge of the base branch brings in files that are not part of this pull request's diff.
  const files = compared.files
    .filter((f) => inPr.has(f.path))
    // Reviewed: this push's patch; listed: the pull request's own status and counts.
    .map((f) => {
      const pr = inPr.get(f.path);
      return pr ? { ...f, status: pr.status, additions: pr.additions, deletions: pr.deletions } : f;
    });
  const { carried, resolved } = carryFindings(
    previous?.findings ?? [],
    compared.files,
    new Set(inPr.keys()),
  );
  return {
    files,
    anchorTo: prFiles.filter((f) => changed.has(f.path)),
    unchanged: prFiles.filter((f) => !changed.has(f.path)),
    prior: { carried, resolved },
    notes: [
      `Reviewed the changes since \`${short}\` (${files.length} ${files.length === 1 ? "file" : "files"}); findings of earlier reviews that still apply are listed too.`,
    ],
  };
}
