import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** What the dialect needs of a libSQL client (see libsql-dialect.ts). */
export type SqlResult = {
  columns: string[];
  rows: unknown[][];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
};
export type SqlTransaction = {
  execute(statement: { sql: string; args: readonly unknown[] }): Promise<SqlResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};
export type SqlClient = {
  execute(statement: { sql: string; args: readonly unknown[] }): Promise<SqlResult>;
  transaction(mode: "write"): Promise<SqlTransaction>;
  close(): Promise<void>;
};

type ThreadCall =
  | { op: "execute"; sql: string; args: readonly unknown[] }
  | { op: "begin" | "commit" | "rollback" | "close" };
export type ThreadRequest = ThreadCall & { id: number };
export type ThreadResult = SqlResult;
export type ThreadReply =
  | { id: number; result: ThreadResult | undefined }
  | { id: number; error: { message: string; code?: string } };

/** An error of the database, as libSQL gave it (its code kept, e.g. `SQLITE_CONSTRAINT`). */
export class StoreError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
  }
}

/**
 * A libSQL file database opened in a thread of its own (libsql-thread.ts), so its synchronous
 * native calls never hold the event loop: in the overhead benchmark they were about a tenth of the
 * main thread's time per review, each commit's fsync included. Calls are answered in order; a
 * thread that stops fails every call still waiting, and every later one, with the reason.
 */
export async function openLibsqlThread(options: {
  url: string;
  /** How long a statement waits for a busy file (ms). */
  timeout: number;
}): Promise<SqlClient> {
  const compiled = new URL("./libsql-thread.js", import.meta.url);
  const fromSources = !existsSync(fileURLToPath(compiled));
  const script = fromSources ? new URL("./libsql-thread.ts", import.meta.url) : compiled;
  const workerData = {
    clientModule: import.meta.resolve("@libsql/client/sqlite3"),
    url: options.url,
    timeout: options.timeout,
  };
  // Run from the sources (tests, `tsx`), the thread needs the same TypeScript loader first.
  // The thread holds statements and their rows for a moment: a small young generation will do,
  // and keeps the thread's memory near its isolate's own.
  const resourceLimits = { maxYoungGenerationSizeMb: 2 };
  const worker = fromSources
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(script.href)}))`,
        { eval: true, workerData, resourceLimits },
      )
    : new Worker(script, { workerData, resourceLimits });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let stopped: Error | undefined;
  let next = 0;
  const stop = (error: Error) => {
    stopped ??= error;
    for (const call of waiting.values()) call.reject(stopped);
    waiting.clear();
  };
  worker.on("message", (reply: ThreadReply) => {
    const call = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    if (!call) return;
    if ("error" in reply) call.reject(new StoreError(reply.error.message, reply.error.code));
    else call.resolve(reply.result);
  });
  worker.on("error", (error) =>
    stop(new Error(`[critic] the embedded database's thread failed: ${error.message}`)),
  );
  worker.on("exit", (code) =>
    stop(new Error(`[critic] the embedded database's thread stopped (exit code ${code})`)),
  );
  // The thread keeps the process alive only while a call waits for it.
  worker.unref();

  const call = <T>(request: ThreadCall): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };
  const execute = (statement: { sql: string; args: readonly unknown[] }) =>
    call<SqlResult>({ op: "execute", sql: statement.sql, args: statement.args });

  // The first statement says whether the thread could open the file at all.
  try {
    await execute({ sql: "SELECT 1", args: [] });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    execute,
    async transaction() {
      await call({ op: "begin" });
      return {
        execute,
        commit: () => call({ op: "commit" }),
        rollback: () => call({ op: "rollback" }),
      };
    },
    async close() {
      if (stopped) return;
      await call({ op: "close" }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
