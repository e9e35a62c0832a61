import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { SqlClient, SqlTransaction } from "./libsql-worker-client.js";

/**
 * Kysely over a libSQL client (`@libsql/client`, run in a thread of its own: see
 * libsql-worker-client.ts). Written here rather than taken from `@libsql/kysely-libsql`, which
 * nests an old client (`^0.8`) beside ours.
 *
 * The client has one connection, and this driver hands Kysely one connection at a time, as
 * Kysely's own SQLite driver does: a file database runs one statement at a time anyway, and a
 * transaction (which holds the connection until it settles) never sees another caller's
 * statement in between.
 */
export class LibsqlDialect implements Dialect {
  readonly #client: SqlClient;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  createDriver(): Driver {
    return new LibsqlDriver(this.#client);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class LibsqlDriver implements Driver {
  readonly #client: SqlClient;
  readonly #connection: LibsqlConnection;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(client: SqlClient) {
    this.#client = client;
    this.#connection = new LibsqlConnection(client);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    await this.#connection.begin();
  }

  async commitTransaction(): Promise<void> {
    await this.#connection.end("commit");
  }

  async rollbackTransaction(): Promise<void> {
    await this.#connection.end("rollback");
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.#client.close();
  }
}

class LibsqlConnection implements DatabaseConnection {
  readonly #client: SqlClient;
  #transaction: SqlTransaction | undefined;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  async begin(): Promise<void> {
    if (this.#transaction) throw new Error("[critic] a store transaction is already open");
    this.#transaction = await this.#client.transaction("write");
  }

  async end(how: "commit" | "rollback"): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    if (!transaction) return;
    // Either way the transaction gives its connection back to the client.
    if (how === "commit") await transaction.commit();
    else await transaction.rollback();
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const target = this.#transaction ?? this.#client;
    const result = await target.execute({
      sql: compiled.sql,
      args: compiled.parameters,
    });
    const rows = result.rows.map((row) => {
      const out: Record<string, unknown> = {};
      result.columns.forEach((column, i) => {
        out[column] = row[i];
      });
      return out as R;
    });
    if (result.columns.length > 0) return { rows };
    return {
      rows,
      numAffectedRows: BigInt(result.rowsAffected),
      ...(result.lastInsertRowid === undefined ? {} : { insertId: result.lastInsertRowid }),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; the generator only refuses.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("[critic] the embedded store does not stream query results");
  }
}
