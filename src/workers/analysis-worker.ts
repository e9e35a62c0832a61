import { builtInRules } from "../config/built-in-rules.js";
import { analyzeFile, type FileAnalysis, type FileTask } from "../engine/analyze/analyze-file.js";

// A worker thread of the analysis pool: one file per task. Module state (the compiled rules, the
// registered tree-sitter grammars) is per thread, loaded on its first task.
export default function analyze(task: FileTask): Promise<FileAnalysis> {
  return analyzeFile(task, builtInRules());
}
