import { builtInRules } from "../config/built-in-rules.js";
import { analyzeFile, type FileTask } from "../engine/analyze/analyze-file.js";
import type { FailedAnalysis } from "../engine/analyze/analyzer.js";
import { type CompactAnalysis, compactAnalysis } from "../engine/analyze/compact-file.js";
import { runInBackground } from "./background-priority.js";

// Analysis is background work: a thread busy with a huge file must not take the core the main
// thread needs to acknowledge webhooks.
runInBackground();

// A worker thread of the analysis pool: a batch of files per task, answered compactly (the main
// thread rebuilds the lines). Module state (the compiled rules, the registered tree-sitter
// grammars) is per thread, loaded on its first task.
export default async function analyze(
  batch: readonly FileTask[],
): Promise<Array<CompactAnalysis | FailedAnalysis>> {
  const rules = builtInRules();
  const results: Array<CompactAnalysis | FailedAnalysis> = [];
  for (const task of batch) {
    try {
      results.push(compactAnalysis(await analyzeFile(task, rules)));
    } catch (error) {
      // One file's failure is its own: the rest of the batch goes on.
      results.push({ failed: error instanceof Error ? error.message.slice(0, 200) : "failed" });
    }
    // A turn of the event loop between files, where Node frees the syntax trees of the last one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return results;
}
