import { randomUUID } from "node:crypto";
import PQueue from "p-queue";
import type { Logger } from "pino";
import type { AssessmentResult, Progress } from "./assess-repository.js";
import type { AssessmentRecord, AssessmentRequest, AssessmentStore } from "./assessment-store.js";

const FULL = "criticAssessmentQueueFull";

/** The queue of assessments holds as many as it may; the caller may try again later. */
export function isQueueFull(error: unknown): boolean {
  return typeof error === "object" && error !== null && FULL in error;
}

export type AssessmentRunner = {
  submit(request: AssessmentRequest): Promise<AssessmentRecord>;
  get(id: string): Promise<AssessmentRecord | undefined>;
  /** Takes up what a previous process left queued or running. */
  resume(): Promise<void>;
  close(): Promise<void>;
  /** This process's assessments waiting for a slot and running. */
  stats?(): { pending: number; running: number };
};

export type RunAssessment = (
  request: AssessmentRequest,
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
) => Promise<AssessmentResult>;

// A job a restart interrupted this many times fails with a reason instead of looping.
const MAX_ATTEMPTS = 2;
// A hung GitHub or model call must not hold a runner slot for ever.
const JOB_DEADLINE_MS = 30 * 60_000;

/**
 * Runs assessments in the background, a few at a time, keeping every state change in the store:
 * a poller sees queued → running (with progress) → done or failed, and a restart finds what was
 * left. In Redis mode a process holds a claim on each job it has (renewed while it lives), so
 * another process resumes only jobs whose owner died.
 */
export function createAssessmentRunner(options: {
  store: AssessmentStore;
  run: RunAssessment;
  concurrency: number;
  log: Pick<Logger, "info" | "warn" | "error">;
  claimMs?: number;
  /** Look for jobs whose owner died this often (Redis mode: other processes' jobs). */
  sweepMs?: number | undefined;
  now?: () => Date;
  /** Queued and running assessments at most; a submission past it is refused. */
  maxUnfinished?: number | undefined;
  /** Finished assessments are deleted this long after they ended. */
  retentionMs?: number | undefined;
}): AssessmentRunner {
  const { store, log } = options;
  const claimMs = options.claimMs ?? 60_000;
  const now = () => (options.now?.() ?? new Date()).toISOString();
  const queue = new PQueue({ concurrency: options.concurrency });
  const held = new Set<string>();
  const owner = randomUUID();
  const controller = new AbortController();
  const renew = setInterval(() => {
    for (const id of held) void store.claim(id, owner, claimMs).catch(() => undefined);
  }, claimMs / 3);
  renew.unref();
  const sweep = options.sweepMs
    ? setInterval(() => {
        runner
          .resume()
          .catch((error: unknown) => log.warn({ err: error }, "assessment sweep failed"));
      }, options.sweepMs)
    : undefined;
  sweep?.unref();
  const prune = () => {
    if (options.retentionMs === undefined) return;
    const before = (options.now?.() ?? new Date()).getTime() - options.retentionMs;
    void store
      .prune(before)
      .then((removed) => {
        if (removed > 0) log.info({ removed }, "finished assessments past their retention deleted");
      })
      .catch((error: unknown) => log.warn({ err: error }, "could not delete old assessments"));
  };
  const pruning = setInterval(prune, 3_600_000);
  pruning.unref();

  const save = async (record: AssessmentRecord, patch: Partial<AssessmentRecord>) => {
    Object.assign(record, patch, { updatedAt: now() });
    await store.put(record);
  };

  const execute = async (record: AssessmentRecord) => {
    let pending = Promise.resolve();
    try {
      if (record.attempts >= MAX_ATTEMPTS) {
        await save(record, {
          status: "failed",
          error: "The assessment was interrupted by restarts twice; submit it again.",
        });
        return;
      }
      await save(record, { status: "running", attempts: record.attempts + 1 });
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(JOB_DEADLINE_MS)]);
      const result = await options.run(record.request, signal, (progress) => {
        pending = pending.then(() => save(record, { progress })).catch(() => undefined);
      });
      await pending;
      // Files over the token budget are never "done"; the job is, so its progress is full.
      const total = record.progress.files_total;
      await save(record, {
        status: "done",
        result,
        progress: { files_done: total, files_total: total },
      });
      log.info({ assessment: record.id, rating: result.rating }, "assessment done");
    } catch (error) {
      await pending;
      if (controller.signal.aborted) {
        // Shutting down is not the job's fault: the next start takes it up from the queue.
        await save(record, { status: "queued", attempts: record.attempts - 1 }).catch(() => {});
        return;
      }
      log.warn({ err: error, assessment: record.id }, "assessment failed");
      await save(record, { status: "failed", error: describe(error) }).catch(() => undefined);
    } finally {
      held.delete(record.id);
      await store.release(record.id, owner).catch(() => undefined);
    }
  };

  const enqueue = (record: AssessmentRecord) => {
    held.add(record.id);
    queue
      .add(() => execute(record))
      .catch((error: unknown) => {
        log.error({ err: error, assessment: record.id }, "assessment job crashed");
      });
  };

  let submitting: Promise<unknown> = Promise.resolve();
  const storeNew = async (request: AssessmentRecord["request"]) => {
    const at = now();
    const record: AssessmentRecord = {
      id: randomUUID(),
      status: "queued",
      request,
      progress: { files_done: 0, files_total: 0 },
      attempts: 0,
      createdAt: at,
      updatedAt: at,
    };
    // Claimed before it is stored: no other process's sweep can see it unowned.
    await store.claim(record.id, owner, claimMs);
    await store.put(record);
    enqueue(record);
    return record;
  };

  const runner: AssessmentRunner = {
    stats: () => ({ pending: queue.size, running: queue.pending }),
    async submit(request) {
      if (options.maxUnfinished === undefined) return storeNew(request);
      const max = options.maxUnfinished;
      // One submission at a time in this process, from the count to the stored record: two that
      // counted at once would both see room for one.
      const turn = submitting.then(async () => {
        if ((await store.unfinished()).length >= max)
          throw Object.assign(new Error("[critic] the assessment queue is full"), { [FULL]: true });
        return storeNew(request);
      });
      submitting = turn.catch(() => undefined);
      return turn;
    },
    get: (id) => store.get(id),
    async resume() {
      prune();
      for (const record of await store.unfinished()) {
        if (held.has(record.id) || !(await store.claim(record.id, owner, claimMs))) continue;
        log.info({ assessment: record.id, was: record.status }, "resuming an assessment");
        await save(record, { status: "queued", progress: { files_done: 0, files_total: 0 } });
        enqueue(record);
      }
    },
    async close() {
      clearInterval(renew);
      clearInterval(pruning);
      if (sweep) clearInterval(sweep);
      queue.clear();
      controller.abort(new Error("[critic] shutting down"));
      await queue.onIdle();
    },
  };
  return runner;
}

/** What a user may read about a failure: the message, never a stack or a token. */
function describe(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "TimeoutError")
    return `The assessment took longer than ${JOB_DEADLINE_MS / 60_000} minutes and was stopped.`;
  if (status === 404)
    return "The repository or ref was not found (or Critic has no access to it: install the App on its owner for a private repository).";
  if (status === 403 || status === 429)
    return "GitHub refused or rate-limited the reads; try again later or set GITHUB_TOKENS.";
  return message.replace(/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]+/g, "[redacted]").slice(0, 500);
}
