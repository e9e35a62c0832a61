/**
 * The process side of `createProcessPool`: answers each task the parent sends with `handle`'s
 * result (or its error's message), one at a time, after telling the parent it is ready. The
 * process ends with its parent: when the channel closes, nothing is left to answer.
 */
export function serveTasks<T, R>(handle: (task: T) => Promise<R>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("[critic] serveTasks runs only in a process started by the pool");
  process.on("message", async (task: T) => {
    try {
      const result = await handle(task);
      // With the answer, how much memory the process holds now: the pool replaces a process that
      // grew too large (a parser's native memory is given back only when the process ends).
      send({ result, rss: process.memoryUsage.rss() });
    } catch (error) {
      send({ error: error instanceof Error ? error.message.slice(0, 200) : "the task failed" });
    }
  });
  process.once("disconnect", () => process.exit(0));
  send({ ready: true });
}
