import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Lowers the calling thread's scheduling priority, so the main thread (webhooks, /healthz) gets
 * a core first when analysis threads and other work want more cores than the machine has. On
 * Linux, setpriority on a thread id applies to that thread alone, and /proc/thread-self names
 * it. Elsewhere this does nothing: analysis then competes at the same priority.
 */
export function runInBackground(niceness = 10): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, niceness);
  } catch {
    // Not Linux, or not permitted: the thread keeps the process's priority.
  }
}
