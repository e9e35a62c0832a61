import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { childEnvironment } from "../config/env.js";

export type ProcessPool = {
  /**
   * Runs `task` in an idle process (started if none is idle) and resolves with its answer. Past
   * `timeoutMs` from the moment the process took the task, or when `signal` aborts, the process is
   * killed outright (SIGKILL: whatever it was doing, native code included) and the promise
   * rejects; the next task starts a new one. The caller runs at most `size` tasks at a time.
   */
  run(task: unknown, options: { signal: AbortSignal; timeoutMs: number }): Promise<unknown>;
  /** The ids of the processes alive now (for tests and measurement). */
  pids(): number[];
  /** Kills every process, and resolves once they have exited. */
  close(): Promise<void>;
};

type Child = {
  proc: ChildProcess;
  ready: Promise<void>;
  stderr: string;
  idle?: NodeJS.Timeout;
  /** Resident memory the process reported with its last answer. */
  rss: number;
};

/**
 * A small supervised pool of Node processes that answer one task at a time over an IPC channel
 * (V8's serializer, so typed arrays cross as bytes). A worker thread stuck in native code cannot
 * be stopped (`Worker.terminate()` waits for JavaScript to run again); a process can always be
 * killed, so work on untrusted input that must be stoppable runs here. A process exits after
 * `idleMs` without work, and after a task that left it larger than `maxRssBytes`.
 */
export function createProcessPool(options: {
  /** The module each process runs; it answers through `serveTasks`. */
  module: URL;
  execArgv: readonly string[];
  /** Added to the processes' environment, which holds only PATH otherwise. */
  env?: Readonly<Record<string, string>> | undefined;
  idleMs: number;
  /**
   * A process whose resident memory is past this after a task exits (a fresh one takes the
   * next): what a parser keeps in native memory between tasks goes with it.
   */
  maxRssBytes?: number | undefined;
}): ProcessPool {
  const alive = new Set<Child>();
  const idle: Child[] = [];
  // A process that outlives this one would hold its memory and, if stuck, a core: it goes with it.
  const killAll = () => {
    for (const child of alive) child.proc.kill("SIGKILL");
  };
  process.once("exit", killAll);

  const start = (): Child => {
    const proc = fork(fileURLToPath(options.module), [], {
      execArgv: [...options.execArgv],
      serialization: "advanced",
      // The analysis needs no credential of the server's: a parser bug exploited there finds none.
      env: childEnvironment(options.env),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const child: Child = { proc, stderr: "", ready: Promise.resolve(), rss: 0 };
    proc.stderr?.on("data", (chunk: Buffer) => {
      child.stderr = (child.stderr + chunk.toString("utf8")).slice(-2_000);
    });
    child.ready = new Promise<void>((resolve, reject) => {
      proc.once("message", () => resolve());
      proc.once("exit", () => reject(exitError(child)));
      proc.once("error", reject);
    });
    child.ready.catch(() => undefined);
    // A failure to kill or to write surfaces as the task's rejection or the process's exit; an
    // 'error' event without a listener would end the server instead.
    proc.on("error", () => {
      if (proc.pid === undefined) alive.delete(child);
    });
    proc.once("exit", () => {
      alive.delete(child);
      const at = idle.indexOf(child);
      if (at >= 0) idle.splice(at, 1);
      clearTimeout(child.idle);
    });
    alive.add(child);
    return child;
  };

  const release = (child: Child) => {
    if (options.maxRssBytes !== undefined && child.rss > options.maxRssBytes) {
      child.proc.kill("SIGKILL");
      return;
    }
    child.proc.channel?.unref();
    idle.push(child);
    child.idle = setTimeout(() => child.proc.kill("SIGKILL"), options.idleMs).unref();
  };

  return {
    async run(task, { signal, timeoutMs }) {
      signal.throwIfAborted();
      const child = idle.pop() ?? start();
      clearTimeout(child.idle);
      child.proc.channel?.ref();
      try {
        const answer = await exchange(child, task, signal, timeoutMs);
        release(child);
        return answer;
      } catch (error) {
        child.proc.kill("SIGKILL");
        throw error;
      }
    },
    pids: () => [...alive].map((c) => c.proc.pid ?? 0),
    async close() {
      process.off("exit", killAll);
      const exited = [...alive].map(
        (child) => new Promise((resolve) => child.proc.once("exit", resolve)),
      );
      killAll();
      await Promise.all(exited);
    },
  };
}

/** Waits for the process to be ready, hands it the task and waits for its answer. */
async function exchange(
  child: Child,
  task: unknown,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<unknown> {
  const { proc } = child;
  let cleanup = () => {};
  try {
    return await new Promise<unknown>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => reject(signal.reason);
      const onExit = () => reject(exitError(child));
      const onMessage = (message: unknown) => {
        const answer = message as { result?: unknown; error?: string; rss?: unknown };
        if (typeof answer.rss === "number") child.rss = answer.rss;
        if (answer.error !== undefined) reject(new Error(answer.error));
        else resolve(answer.result);
      };
      cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        proc.off("exit", onExit);
        proc.off("message", onMessage);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      proc.once("exit", onExit);
      child.ready.then(() => {
        if (signal.aborted || proc.exitCode !== null || proc.signalCode !== null) return;
        // The budget counts from here: starting a process (loading its code) is not the task's.
        timer = setTimeout(() => reject(new Error(`over ${timeoutMs} ms`)), timeoutMs);
        proc.on("message", onMessage);
        proc.send(task as never, (error: Error | null) => error && reject(error));
      }, reject);
    });
  } finally {
    cleanup();
  }
}

function exitError(child: Child): Error {
  const { exitCode, signalCode } = child.proc;
  if (/heap limit|heap out of memory/i.test(child.stderr))
    return new Error("the analysis process ran out of memory");
  return new Error(
    `the analysis process exited (${signalCode ? `signal ${signalCode}` : `code ${exitCode}`})`,
  );
}
