import analyze, { warmUp } from "../../src/workers/analysis-worker.js";
import { serveTasks } from "../../src/workers/serve-tasks.js";

// The analysis process with one change, for tests: a batch holding a file named `hang.*` blocks
// its process synchronously and for ever, as a parser stuck in native code would (no event loop
// turn, no JavaScript to interrupt). Only killing the process ends it.
warmUp();
serveTasks(async (batch: Parameters<typeof analyze>[0]) => {
  if (batch.some((task) => task.file.path.startsWith("hang.")))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  return analyze(batch);
});
