import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Lowers the scheduling priority of every thread of this process (an analysis process: its main
 * thread and V8's helpers, started before any code of ours ran; threads started later inherit
 * it), so the server's main thread (webhooks, /healthz) gets a core first when analysis and
 * other work want more cores than the machine has. On Linux, setpriority on a thread id applies
 * to that thread alone, and /proc/self/task lists them. Elsewhere, the process as a whole.
 */
export function runProcessInBackground(niceness = 10): void {
  try {
    for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), niceness);
  } catch {
    try {
      setPriority(process.pid, niceness);
    } catch {
      // Not permitted: the process keeps its priority.
    }
  }
}
