import type { CompiledRule } from "../static/compile-rules.js";
import { analyzeFile, type FileAnalysis, type FileTask } from "./analyze-file.js";

/** A file whose analysis ran out of its budget (time or memory) or crashed its worker. */
export type FailedAnalysis = { failed: string };

/**
 * Where the engine's CPU work runs: in the main thread (the CLI, the Action, tests) or in a pool
 * of worker threads (the server), so webhooks and HTTP requests are answered while a review is
 * analysed. Each file fails alone: the rest of the review goes on.
 */
export type Analyzer = {
  analyze(
    tasks: readonly FileTask[],
    signal: AbortSignal,
  ): Promise<Array<FileAnalysis | FailedAnalysis>>;
};

/**
 * The analysis in the calling thread, a file at a time, giving the event loop a turn between
 * files.
 */
export function createInThreadAnalyzer(builtIn: readonly CompiledRule[]): Analyzer {
  return {
    async analyze(tasks, signal) {
      const results: Array<FileAnalysis | FailedAnalysis> = [];
      for (const task of tasks) {
        signal.throwIfAborted();
        await new Promise((resolve) => setImmediate(resolve));
        try {
          results.push(await analyzeFile(task, builtIn));
        } catch (error) {
          results.push({ failed: error instanceof Error ? error.message : String(error) });
        }
      }
      return results;
    },
  };
}
