import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  openLibsqlThread,
  type SqlClient,
  StoreError,
} from "../../src/store/libsql-worker-client.js";

describe("store/libsql-worker-client: the embedded database in its own thread", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  const open = async (): Promise<SqlClient> => {
    const dir = await mkdtemp(join(tmpdir(), "critic-libsql-"));
    const client = await openLibsqlThread({
      url: pathToFileURL(join(dir, "t.db")).href,
      timeout: 1_000,
    });
    cleanup.push(async () => {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    });
    await client.execute({
      sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB)",
      args: [],
    });
    return client;
  };

  it("answers statements with columns, rows and what an insert changed, values intact", async () => {
    const client = await open();
    const inserted = await client.execute({
      sql: "INSERT INTO t (name, data) VALUES (?, ?)",
      args: ["ünïcode ☃ 🚀", new Uint8Array([0, 255, 7])],
    });
    expect(inserted.rowsAffected).toBe(1);
    expect(inserted.lastInsertRowid).toBe(1n);
    const read = await client.execute({
      sql: "SELECT id, name, data FROM t WHERE id = ?",
      args: [1],
    });
    expect(read.columns).toEqual(["id", "name", "data"]);
    expect(read.rows[0]?.[0]).toBe(1);
    expect(read.rows[0]?.[1]).toBe("ünïcode ☃ 🚀");
    expect([...new Uint8Array(read.rows[0]?.[2] as ArrayBuffer)]).toEqual([0, 255, 7]);
  });

  it("rejects a failing statement with libSQL's code, and goes on answering", async () => {
    const client = await open();
    await client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] });
    const duplicate = client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] });
    await expect(duplicate).rejects.toBeInstanceOf(StoreError);
    await expect(duplicate).rejects.toMatchObject({
      code: expect.stringMatching(/^SQLITE_CONSTRAINT/),
    });
    await expect(client.execute({ sql: "SELEC nonsense", args: [] })).rejects.toThrow(/syntax/i);
    const count = await client.execute({ sql: "SELECT count(*) AS n FROM t", args: [] });
    expect(count.rows[0]?.[0]).toBe(1);
  });

  it("keeps a committed transaction and forgets a rolled-back one", async () => {
    const client = await open();
    const kept = await client.transaction("write");
    await kept.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["kept"] });
    await kept.commit();
    const dropped = await client.transaction("write");
    await dropped.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["dropped"] });
    await dropped.rollback();
    const names = await client.execute({ sql: "SELECT name FROM t ORDER BY id", args: [] });
    expect(names.rows.map((r) => r[0])).toEqual(["kept"]);
  });

  it("refuses calls after it was closed, with the reason", async () => {
    const client = await open();
    await client.close();
    await expect(client.execute({ sql: "SELECT 1", args: [] })).rejects.toThrow(
      /embedded database's thread stopped/,
    );
  });

  it("says so when the file cannot be opened", async () => {
    await expect(
      openLibsqlThread({ url: pathToFileURL("/nonexistent-dir/x/y.db").href, timeout: 100 }),
    ).rejects.toThrow();
  });
});
