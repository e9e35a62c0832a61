import { runProcessInBackground } from "./background-priority.js";
import { serveTasks } from "./serve-tasks.js";

// A process of the analysis pool. Analysis is background work: a process busy with a huge file
// must not take the core the server's main thread needs to acknowledge webhooks. Its priority is
// lowered first, then the analysis code (the tokenizer's tables, the grammars) is loaded.
runProcessInBackground();
const { default: analyze, warmUp } = await import("./analysis-worker.js");
warmUp();
serveTasks(analyze);
