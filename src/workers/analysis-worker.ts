import { analysisKit, countTokens } from "../config/analysis-kit.js";
import { analyzeFile, type FileTask } from "../engine/analyze/analyze-file.js";
import type { FailedAnalysis } from "../engine/analyze/analyzer.js";
import { type CompactAnalysis, compactAnalysis } from "../engine/analyze/compact-file.js";

/**
 * Loads what every task needs (the compiled rules, the grammars, the tokenizer's tables) before a
 * process says it is ready, so a file's time budget measures the file, not the process's start.
 */
export function warmUp(): void {
  analysisKit();
  countTokens("warm up");
}

// The analysis pool's task: a batch of files, answered compactly (the main thread rebuilds the
// lines). It runs in the pool's processes (analysis-process.ts); module state (the compiled
// rules, the registered tree-sitter grammars) is per process, loaded on its first task.
export default async function analyze(
  batch: readonly FileTask[],
): Promise<Array<CompactAnalysis | FailedAnalysis>> {
  const kit = analysisKit();
  const results: Array<CompactAnalysis | FailedAnalysis> = [];
  for (const task of batch) {
    try {
      results.push(compactAnalysis(await analyzeFile(task, kit), task.file.patch));
    } catch (error) {
      // One file's failure is its own: the rest of the batch goes on.
      results.push({ failed: error instanceof Error ? error.message.slice(0, 200) : "failed" });
    }
    // A turn of the event loop between files, where Node frees the syntax trees of the last one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}
