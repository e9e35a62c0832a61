import { builtInRules } from "../config/built-in-rules.js";
import { analyzeFile, type FileTask } from "../engine/analyze/analyze-file.js";
import { type CompactAnalysis, compactAnalysis } from "../engine/analyze/compact-file.js";
import { runInBackground } from "./background-priority.js";

// Analysis is background work: a thread busy with a huge file must not take the core the main
// thread needs to acknowledge webhooks.
runInBackground();

// A worker thread of the analysis pool: one file per task, answered compactly (the main thread
// rebuilds the lines). Module state (the compiled rules, the registered tree-sitter grammars) is
// per thread, loaded on its first task.
export default async function analyze(task: FileTask): Promise<CompactAnalysis> {
  return compactAnalysis(await analyzeFile(task, builtInRules()));
}
