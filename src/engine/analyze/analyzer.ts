import type { AnalysisKit, FileAnalysis, FileTask } from "./analyze-file.js";

/** A file whose analysis ran out of its budget (time or memory) or crashed its worker. */
export type FailedAnalysis = { failed: string };

/**
 * Where the engine's CPU work runs: in the main thread (the CLI, the Action, tests) or in a pool
 * of analysis processes (the server), so webhooks and HTTP requests are answered while a review is
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
 * files. The analysis code (tokenizer, parsers, secret rules) and the rules are loaded on the
 * first use: a server whose threads analyse never holds them on its main thread.
 */
export function createInThreadAnalyzer(kit: AnalysisKit | (() => Promise<AnalysisKit>)): Analyzer {
  let loaded: Promise<[typeof import("./analyze-file.js"), AnalysisKit]> | undefined;
  return {
    async analyze(tasks, signal) {
      loaded ??= Promise.all([
        import("./analyze-file.js"),
        typeof kit === "function" ? kit() : kit,
      ]);
      const [{ analyzeFile }, loadedKit] = await loaded;
      const results: Array<FileAnalysis | FailedAnalysis> = [];
      for (const task of tasks) {
        signal.throwIfAborted();
        await new Promise((resolve) => setImmediate(resolve));
        try {
          results.push(await analyzeFile(task, loadedKit));
        } catch (error) {
          results.push({ failed: error instanceof Error ? error.message : String(error) });
        }
      }
      return results;
    },
  };
}
