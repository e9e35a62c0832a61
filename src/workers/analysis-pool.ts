import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import PQueue from "p-queue";
import type { Logger } from "pino";
import type { FileAnalysis, FileTask } from "../engine/analyze/analyze-file.js";
import type { Analyzer, FailedAnalysis } from "../engine/analyze/analyzer.js";
import { type CompactAnalysis, expandAnalysis } from "../engine/analyze/compact-file.js";
import { createProcessPool } from "./process-pool.js";

export type AnalysisPool = Analyzer & {
  /** The ids of the analysis processes alive now. */
  pids(): number[];
  close(): Promise<void>;
};

/**
 * The analysis in child processes, so the main thread only answers requests and queues work, and
 * a file stuck in a parser (native code no thread can interrupt) costs only its process: it is
 * killed and replaced. Files go to a process in small batches; a batch gets `timeoutMs` from the
 * moment a process takes it and `maxMemoryMb` of heap. Past either its process is ended and
 * replaced, and its files are tried again one at a time with the same budget each, so only a file
 * over budget is reported as such (it may so take up to twice its budget). Batches wait in one
 * queue shared by every review, a process's worth at a time, so waiting never counts against a
 * file's time.
 */
export function createAnalysisPool(options: {
  processes: number;
  timeoutMs: number;
  maxMemoryMb: number;
  log: Pick<Logger, "warn">;
  /** The module the processes run (tests swap in one that hangs); analysis-process by default. */
  module?: URL | undefined;
  /** How long an idle process is kept (30 s). */
  idleMs?: number | undefined;
  /** Resident memory past which a process is replaced after its batch (140 MB). */
  maxProcessMb?: number | undefined;
}): AnalysisPool {
  const compiled = new URL("./analysis-process.js", import.meta.url);
  // From the sources (tests, `tsx`), the module is TypeScript and needs the same loader.
  const module =
    options.module ??
    (existsSync(fileURLToPath(compiled))
      ? compiled
      : new URL("./analysis-process.ts", import.meta.url));
  const pool = createProcessPool({
    module,
    // Lean processes: a process answers one batch at a time and nobody waits on its pauses, so it
    // keeps a small young generation (1 MB semi-spaces instead of 16), runs V8 without helper
    // threads and glibc with one malloc arena. In the 3,000-file benchmark this took a process
    // from 131 MB of private memory at its peak to about 80, at the same speed.
    execArgv: [
      `--max-old-space-size=${options.maxMemoryMb}`,
      "--max-semi-space-size=1",
      "--single-threaded",
      ...(module.pathname.endsWith(".ts") ? ["--import", "tsx"] : []),
    ],
    env: { MALLOC_ARENA_MAX: "1" },
    // A process stays a while after its last batch, so the next review's analysis does not wait
    // the half second a process takes to start, and is replaced once it holds more than 140 MB,
    // so the native memory a parser keeps between files is given back on a large pull request.
    idleMs: options.idleMs ?? 30_000,
    maxRssBytes: (options.maxProcessMb ?? 140) * 1_048_576,
  });
  const slots = new PQueue({ concurrency: options.processes });
  // Closing rejects what still waits: no review is left waiting for an analysis that never comes.
  const closing = new AbortController();
  const runBatch = (batch: readonly FileTask[], reviewSignal: AbortSignal) =>
    slots.add(async (): Promise<Array<FileAnalysis | FailedAnalysis>> => {
      const signal = AbortSignal.any([reviewSignal, closing.signal]);
      signal.throwIfAborted();
      try {
        const answers = (await pool.run(batch, {
          signal,
          timeoutMs: options.timeoutMs,
        })) as Array<CompactAnalysis | FailedAnalysis>;
        const results: Array<FileAnalysis | FailedAnalysis> = [];
        for (const [i, answer] of answers.entries()) {
          if ("failed" in answer) {
            warn(batch[i], answer.failed);
            results.push(answer);
          } else results.push(await expandAnalysis(answer, batch[i]?.file.patch));
        }
        return results;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const why = error instanceof Error ? error.message.slice(0, 200) : "the analysis failed";
        // A batch that ran out of time or memory, or lost its process, is tried again a file at a
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
    pids: () => pool.pids(),
    async close() {
      closing.abort(new Error("[critic] the analysis pool is closing"));
      await slots.onIdle();
      await pool.close();
    },
  };
}

// Small files travel to a process together: one task per file cost the main thread more (queueing,
// signals, messages) than their analysis cost the process. A batch holds at most this many files
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
