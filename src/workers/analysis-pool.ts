import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import PQueue from "p-queue";
import type { Logger } from "pino";
import { Piscina } from "piscina";
import type { FileAnalysis, FileTask } from "../engine/analyze/analyze-file.js";
import type { Analyzer, FailedAnalysis } from "../engine/analyze/analyzer.js";
import { type CompactAnalysis, expandAnalysis } from "../engine/analyze/compact-file.js";

export type AnalysisPool = Analyzer & { close(): Promise<void> };

/**
 * The analysis in worker threads, so the main thread only answers requests and queues work.
 * Files go to a thread in small batches; a batch gets `timeoutMs` from the moment a thread takes
 * it and `maxMemoryMb` of heap. Past either its thread is ended and replaced, and its files are
 * tried again one at a time with the same budget each, so only a file over budget is reported as
 * such (it may so take up to twice its budget). Batches wait in one queue shared by every review,
 * a thread's worth at a time, so waiting never counts against a file's time.
 */
export function createAnalysisPool(options: {
  threads: number;
  timeoutMs: number;
  maxMemoryMb: number;
  log: Pick<Logger, "warn">;
}): AnalysisPool {
  const compiled = new URL("./analysis-worker.js", import.meta.url);
  // From the sources (tests, `tsx`), the worker is TypeScript and needs the same loader.
  const source = new URL("./analysis-worker.ts", import.meta.url);
  const fromSource = !existsSync(fileURLToPath(compiled));
  const pool = new Piscina({
    filename: (fromSource ? source : compiled).href,
    minThreads: 1,
    maxThreads: options.threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxMemoryMb },
    // Between tasks a thread's event loop must turn: Node frees ast-grep's native syntax trees
    // in finalizers it runs there. In "sync" mode a thread sleeps on Atomics.wait between tasks
    // instead, and a 3,000-file pull request kept every tree it parsed (750 MB).
    atomics: "async",
    ...(fromSource ? { execArgv: ["--import", "tsx"] } : {}),
  });
  const slots = new PQueue({ concurrency: options.threads });
  // Closing rejects what still waits: no review is left waiting for an analysis that never comes.
  const closing = new AbortController();
  const runBatch = (batch: readonly FileTask[], reviewSignal: AbortSignal) =>
    slots.add(async (): Promise<Array<FileAnalysis | FailedAnalysis>> => {
      const signal = AbortSignal.any([reviewSignal, closing.signal]);
      signal.throwIfAborted();
      const budget = AbortSignal.timeout(options.timeoutMs);
      try {
        const answers = (await pool.run(batch, {
          signal: AbortSignal.any([signal, budget]),
        })) as Array<CompactAnalysis | FailedAnalysis>;
        const results: Array<FileAnalysis | FailedAnalysis> = [];
        for (const [i, answer] of answers.entries()) {
          if ("failed" in answer) {
            warn(batch[i], answer.failed);
            results.push(answer);
          } else results.push(await expandAnalysis(answer));
        }
        return results;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const why = budget.aborted
          ? `over ${options.timeoutMs} ms`
          : error instanceof Error
            ? error.message.slice(0, 200)
            : "the analysis failed";
        // A batch that ran out of time or memory, or lost its thread, is tried again a file at a
        // time, so only the file to blame is reported and the others still count.
        if (batch.length > 1) return [];
        warn(batch[0], why);
        return [{ failed: why }];
      }
    });
  const warn = (task: FileTask | undefined, why: string) =>
    options.log.warn({ path: task?.file.path.slice(0, 200), why }, "file analysis failed");
  const analyzeBatch = async (batch: readonly FileTask[], signal: AbortSignal) => {
    const results = await runBatch(batch, signal);
    if (results.length === batch.length) return results;
    return (await Promise.all(batch.map((task) => runBatch([task], signal)))).flat();
  };
  return {
    analyze: async (tasks, signal) =>
      (await Promise.all(batchesOf(tasks).map((batch) => analyzeBatch(batch, signal)))).flat(),
    async close() {
      closing.abort(new Error("[critic] the analysis pool is closing"));
      await slots.onIdle();
      await pool.destroy();
    },
  };
}

// Small files travel to a thread together: one task per file cost the main thread more (queueing,
// signals, messages) than their analysis cost the thread. A batch holds at most this many files
// and bytes of diff and head text.
const BATCH_FILES = 16;
const BATCH_BYTES = 256 * 1024;

/** Consecutive tasks grouped into batches, in order. */
export function batchesOf<T extends FileTask>(tasks: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const task of tasks) {
    const size = (task.file.patch?.length ?? 0) + (task.headText?.length ?? 0);
    if (current.length > 0 && (current.length >= BATCH_FILES || bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(task);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
