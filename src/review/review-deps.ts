import type { Logger } from "pino";
import type { DailyBudget } from "../budget/budgeted-model.js";
import type { SpendLedger } from "../budget/spend-ledger.js";
import type { ReviewCore } from "../deps.js";
import type { InstructionCache } from "../github/instruction-cache.js";
import type { GitHub } from "../github/octokit.js";
import type { SummaryIndex } from "../github/summary-index.js";
import type { SummaryLock } from "../github/summary-lock.js";
import type { SummaryStore } from "../github/write-summary.js";
import type { Metrics } from "../metrics/metrics.js";
import type { PullHeads } from "../queue/pull-heads.js";
import type { ReviewJob } from "../queue/review-job.js";
import type { Clock } from "../resilience/clock.js";
import type { Learnings } from "../store/learnings.js";
import type { ReviewHistory } from "../store/review-history.js";
import type { ThreadOutcomes } from "../store/thread-outcomes.js";

/** What a pull-request review needs from its process; built once by the composition root. */
export type ReviewDeps = {
  /** An installation-scoped client (per-installation throttling, fresh token). */
  auth(installationId: number): Promise<GitHub>;
  core: ReviewCore;
  appId: number;
  /** In a GitHub Action: the bot the workflow's token writes as, which finds its own summary. */
  botLogin?: string | undefined;
  version: string;
  log: Logger;
  /** Time for retry waits and deferrals; tests pass a clock that never waits. */
  clock: Clock;
  /** One summary per pull request, whoever writes it first. */
  summaryLock?: SummaryLock | undefined;
  /** Each pull request's summary comment as last written (by a review or a command). */
  summaries?: SummaryIndex | undefined;
  /** Each pull request's newest head, as webhooks and commands saw it. */
  pullHeads?: PullHeads | undefined;
  /** Where each review's end is recorded; absent without a database. */
  history?: ReviewHistory | undefined;
  /** What became of Critic's inline comments; absent without a database. */
  threads?: ThreadOutcomes | undefined;
  /** What teams taught Critic not to flag; absent without a database. */
  learnings?: Learnings | undefined;
  /** Repository instruction files already read, per repository and base commit. */
  instructionCache?: InstructionCache | undefined;
  /**
   * `/pause` and `/resume` given in this process, by pull request: they may land while a review
   * runs, and the review's final summary must not write the older state back.
   */
  pauses?: ReadonlyMap<string, boolean> | undefined;
  /** Jobs may run twice (Redis mode): a rerun looks for this head's review before posting one. */
  verifyBeforePost?: boolean | undefined;
  /** Runs the job again after `delayMs` (GitHub's rate limit resets later): the worker is not held. */
  defer?: ((job: ReviewJob, delayMs: number) => void) | undefined;
  /** Where tokens and cost are counted, when metrics are on. */
  metrics?: Pick<Metrics, "usage" | "spend"> | undefined;
  /** The daily model budget per installation, and where spend is counted against it. */
  budget?: { ledger: SpendLedger; daily: DailyBudget; now(): number } | undefined;
};

/**
 * How a review ended. `interrupted`: the process is shutting down, and the job goes back to the
 * queue; `superseded`: a newer push replaced it, and the newer review owns the summary.
 */
export type ReviewOutcome =
  | "reviewed"
  | "skipped"
  | "superseded"
  | "interrupted"
  | "deferred"
  | "failed";

/** Where a review writes its summary: under the lock, noted in the index, as Critic's own. */
export function summaryStore(
  deps: Pick<ReviewDeps, "summaryLock" | "summaries" | "appId" | "botLogin"> & {
    clock?: ReviewDeps["clock"] | undefined;
  },
): SummaryStore {
  const clock = deps.clock;
  return {
    lock: deps.summaryLock,
    index: deps.summaries,
    own: { appId: deps.appId, botLogin: deps.botLogin },
    sleep: clock && ((ms) => clock.sleep(ms)),
  };
}
