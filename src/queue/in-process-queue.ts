import { abortReason } from "../model/abort-reason.js";
import { inheritRequest, pullKey, type ReviewJob } from "./review-job.js";

export type QueueStats = { pending: number; running: number };

/** What happened to an enqueued job. */
export type EnqueueResult =
  /** It will run. */
  | "queued"
  /** It replaced an older head of the same PR that was still waiting. */
  | "coalesced"
  /** This head of this PR is already waiting or running. */
  | "duplicate";

/** Where webhook handlers put work. The in-process queue is the default. */
export type JobQueue = {
  enqueue(job: ReviewJob): EnqueueResult | Promise<EnqueueResult>;
  stats(): QueueStats | Promise<QueueStats>;
  /** Resolves when nothing is waiting or running. */
  onIdle(): Promise<void>;
};

export type JobRunner = (job: ReviewJob, signal: AbortSignal) => Promise<void>;

type Slot = {
  running?: { job: ReviewJob; controller: AbortController } | undefined;
  waiting?: ReviewJob | undefined;
};

/**
 * A p-queue with bounded concurrency and one review per pull request at a time. A newer head of a
 * PR replaces a waiting older one, and aborts a running one (which then posts nothing), so only
 * the newest head is reviewed and two jobs never race to create the same summary. A job's failure
 * goes to `onError` and never reaches the process.
 */
export function createInProcessQueue(options: {
  concurrency: number;
  /** Reviews of one installation running at once, at most: one busy organisation cannot fill every slot. */
  perInstallation?: number | undefined;
  run: JobRunner;
  onError: (job: ReviewJob, error: unknown) => void;
}): JobQueue {
  const scheduler = createFairScheduler(
    options.concurrency,
    options.perInstallation ?? options.concurrency,
  );
  const slots = new Map<string, Slot>();

  const start = (key: string, slot: Slot, job: ReviewJob) => {
    const controller = new AbortController();
    slot.running = { job, controller };
    scheduler.add(job.installationId, async () => {
      try {
        await options.run(job, controller.signal);
      } catch (error) {
        options.onError(job, error);
      } finally {
        // Queued inside the task, so `onIdle()` never resolves between two jobs of one PR.
        slot.running = undefined;
        const next = slot.waiting;
        slot.waiting = undefined;
        if (next) start(key, slot, next);
        else slots.delete(key);
      }
    });
  };

  return {
    enqueue(job) {
      const key = pullKey(job);
      const slot = slots.get(key) ?? {};
      const same =
        slot.waiting?.headSha === job.headSha
          ? slot.waiting
          : slot.running?.job.headSha === job.headSha
            ? slot.running.job
            : undefined;
      if (same) {
        // The same head is already on its way; a `/review` for it is answered when that one ends.
        same.ack ??= job.ack;
        return "duplicate";
      }
      if (slot.waiting) {
        slot.waiting = inheritRequest(job, slot.waiting);
        return "coalesced";
      }
      if (slot.running) {
        slot.running.controller.abort(abortReason("superseded", `superseded by ${job.headSha}`));
        slot.waiting = inheritRequest(job, slot.running.job);
        return "queued";
      }
      slots.set(key, slot);
      start(key, slot, job);
      return "queued";
    },
    stats: () => ({
      pending: scheduler.waiting() + [...slots.values()].filter((s) => s.waiting).length,
      running: scheduler.running(),
    }),
    onIdle: () => scheduler.onIdle(),
  };
}

/**
 * Runs tasks `concurrency` at a time, in order, except that an installation already running
 * `perInstallation` tasks waits while others' tasks go first. p-queue has no per-key limit (and
 * BullMQ has it only in its paid edition), so this small scheduler does it.
 */
function createFairScheduler(concurrency: number, perInstallation: number) {
  const pending: Array<{ installation: number; task: () => Promise<void> }> = [];
  const active = new Map<number, number>();
  let running = 0;
  const idle: Array<() => void> = [];
  const pump = () => {
    while (running < concurrency) {
      const next = pending.findIndex((t) => (active.get(t.installation) ?? 0) < perInstallation);
      if (next === -1) break;
      const [{ installation, task }] = pending.splice(next, 1) as [(typeof pending)[number]];
      running++;
      active.set(installation, (active.get(installation) ?? 0) + 1);
      void task().finally(() => {
        running--;
        const left = (active.get(installation) ?? 1) - 1;
        if (left > 0) active.set(installation, left);
        else active.delete(installation);
        pump();
        if (running === 0 && pending.length === 0) {
          for (const resolve of idle.splice(0)) resolve();
        }
      });
    }
  };
  return {
    add(installation: number, task: () => Promise<void>) {
      pending.push({ installation, task });
      pump();
    },
    waiting: () => pending.length,
    running: () => running,
    onIdle: () =>
      running === 0 && pending.length === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idle.push(resolve)),
  };
}
