import { parentPort, workerData } from "node:worker_threads";
import type { Client, InArgs, Transaction } from "@libsql/client/sqlite3";
import type { ThreadReply, ThreadRequest, ThreadResult } from "./libsql-worker-client.js";

// The embedded database's thread: libSQL's calls are synchronous native code (statements, and the
// WAL's fsync on each commit), so they run here, not on the thread that answers webhooks. One
// connection and at most one transaction, as the dialect asks (see libsql-dialect.ts).

const { clientModule, url, timeout } = workerData as {
  clientModule: string;
  url: string;
  timeout: number;
};
const { createClient } = (await import(clientModule)) as typeof import("@libsql/client/sqlite3");
const client: Client = createClient({ url, concurrency: 1, timeout });
let transaction: Transaction | undefined;

async function handle(request: ThreadRequest): Promise<ThreadResult | undefined> {
  switch (request.op) {
    case "execute": {
      const target = transaction ?? client;
      const result = await target.execute({ sql: request.sql, args: request.args as InArgs });
      return {
        columns: result.columns,
        // A row is an array with its columns also as named properties: only the array crosses.
        rows: result.rows.map((row) => Array.from(row)),
        rowsAffected: result.rowsAffected,
        lastInsertRowid: result.lastInsertRowid,
      };
    }
    case "begin":
      if (transaction) throw new Error("[critic] a store transaction is already open");
      transaction = await client.transaction("write");
      return undefined;
    case "commit":
    case "rollback": {
      const open = transaction;
      transaction = undefined;
      if (open) await (request.op === "commit" ? open.commit() : open.rollback());
      return undefined;
    }
    case "close":
      client.close();
      return undefined;
  }
}

parentPort?.on("message", async (request: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    reply = { id: request.id, result: await handle(request) };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    reply = {
      id: request.id,
      error: {
        message: typeof message === "string" ? message : String(error),
        ...(typeof code === "string" ? { code } : {}),
      },
    };
  }
  parentPort?.postMessage(reply);
});
