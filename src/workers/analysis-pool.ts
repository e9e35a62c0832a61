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
 * The analysis in worker threads, so the main thread only answers requests and queues work. A
 * file gets `timeoutMs` from the moment a thread takes it and `maxMemoryMb` of heap; past either
 * its thread is ended and replaced, and the file is reported as over its analysis budget. Tasks
 * wait in one queue shared by every review, a thread's worth at a time, so waiting never counts
 * against a file's time.
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
  const runOne = (task: FileTask, reviewSignal: AbortSignal) =>
    slots.add(async (): Promise<FileAnalysis | FailedAnalysis> => {
      const signal = AbortSignal.any([reviewSignal, closing.signal]);
      signal.throwIfAborted();
      const budget = AbortSignal.timeout(options.timeoutMs);
      try {
        const compact = (await pool.run(task, {
          signal: AbortSignal.any([signal, budget]),
        })) as CompactAnalysis;
        return await expandAnalysis(compact);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const why = budget.aborted
          ? `over ${options.timeoutMs} ms`
          : error instanceof Error
            ? error.message.slice(0, 200)
            : "the analysis failed";
        options.log.warn({ path: task.file.path.slice(0, 200), why }, "file analysis failed");
        return { failed: why };
      }
    });
  return {
    analyze: (tasks, signal) => Promise.all(tasks.map((task) => runOne(task, signal))),
    async close() {
      closing.abort(new Error("[critic] the analysis pool is closing"));
      await slots.onIdle();
      await pool.destroy();
    },
  };
}
