import PQueue from "p-queue";
import { jobKey, type ReviewJob } from "./review-job.js";

export type QueueStats = { pending: number; running: number };

/** Where webhook handlers put work. The in-process queue is the default; BullMQ comes later. */
export type JobQueue = {
  /** "duplicate" when the same PR head is already waiting or running. */
  enqueue(job: ReviewJob): "queued" | "duplicate";
  stats(): QueueStats;
  /** Resolves when nothing is waiting or running. */
  onIdle(): Promise<void>;
};

export type JobRunner = (job: ReviewJob, signal: AbortSignal) => Promise<void>;

/**
 * A p-queue with bounded concurrency. A job's failure is reported to `onError` and never reaches
 * the process: one broken review must not take the others down.
 */
export function createInProcessQueue(options: {
  concurrency: number;
  run: JobRunner;
  onError: (job: ReviewJob, error: unknown) => void;
}): JobQueue {
  const queue = new PQueue({ concurrency: options.concurrency });
  const active = new Set<string>();
  return {
    enqueue(job) {
      const key = jobKey(job);
      if (active.has(key)) return "duplicate";
      active.add(key);
      const controller = new AbortController();
      // The key is released inside the task, so a job queued right after `onIdle()` resolves
      // is never mistaken for a duplicate of the one that just finished.
      queue
        .add(async () => {
          try {
            await options.run(job, controller.signal);
          } finally {
            active.delete(key);
          }
        })
        .catch((error: unknown) => options.onError(job, error));
      return "queued";
    },
    stats: () => ({ pending: queue.size, running: queue.pending }),
    onIdle: () => queue.onIdle(),
  };
}
