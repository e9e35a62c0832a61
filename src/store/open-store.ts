import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Kysely, Migrator, sql } from "kysely";
import type { Logger } from "pino";
import type { AssessmentStore } from "../assess/assessment-store.js";
import type { SubmissionStore } from "../console/submission-store.js";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";
import { createAssessmentTable } from "./assessment-table.js";
import { type CommandHistory, createCommandHistory } from "./command-history.js";
import { acquireFileLock } from "./file-lock.js";
import { createLearnings, type Learnings } from "./learnings.js";
import { LibsqlDialect } from "./libsql-dialect.js";
import { openLibsqlThread } from "./libsql-worker-client.js";
import { migrationsFor, type StoreDialect } from "./migrations.js";
import { createReviewHistory, type ReviewHistory } from "./review-history.js";
import type { Database } from "./schema.js";
import { createSubmissionTable } from "./submission-table.js";
import { createThreadOutcomes, type ThreadOutcomes } from "./thread-outcomes.js";

export const EMBEDDED_FILE = "critic.db";
const DAY_MS = 86_400_000;

export type StoreConfig = {
  /** PostgreSQL; the embedded file in `dataDir` when absent. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** History older than this is deleted at open and once a day. */
  retentionDays: number;
};

export type StoreOptions = {
  log: Logger;
  redactor: Redactor;
  clock: Clock;
  /** Runs `fn` every `ms` until the returned stop is called; tests pass one they trigger by hand. */
  every?: ((ms: number, fn: () => void) => () => void) | undefined;
};

/** Critic's database, open and migrated. */
export type Store = {
  dialect: StoreDialect;
  /** Where it is, for a log line (a path, or host:port/database: never a password). */
  where: string;
  db: Kysely<Database>;
  history: ReviewHistory;
  /** What became of Critic's inline comments. */
  threads: ThreadOutcomes;
  /** What people taught Critic (kept until forgotten: retention does not apply). */
  learnings: Learnings;
  /** Every slash-command Critic ran (retention as the history's). */
  commands: CommandHistory;
  /**
   * Assessment records (HTTP API), with their own retention (the runner prunes them). `shared`:
   * several processes use this database (Redis mode), so a job's claim is kept in it; otherwise
   * the one process owns every job, and a claim a crash left behind holds nothing up.
   */
  assessments(options: { shared: boolean }): AssessmentStore;
  /** What people submitted in the web console (retention as the history's). */
  submissions: SubmissionStore;
  /** Migrations this open applied (none when the schema was current). */
  applied: string[];
  /** Deletes history past retention now; returns how many reviews went. */
  sweep(): Promise<number>;
  /** Stops the daily sweep, closes the database and releases the embedded file's lock. */
  close(): Promise<void>;
};

/**
 * Opens the database, takes the embedded file's lock, applies pending migrations and deletes
 * history past retention. Throws with a message that says what to do (the file is in use, the
 * server is unreachable).
 */
export async function openStore(config: StoreConfig, options: StoreOptions): Promise<Store> {
  const opened = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : await openEmbedded(config.dataDir);
  try {
    const applied = await migrate(opened.db, opened.dialect, opened.where);
    const history = createReviewHistory(opened.db, options);
    const threads = createThreadOutcomes(opened.db, options);
    const learnings = createLearnings(opened.db, options);
    const commands = createCommandHistory(opened.db, options);
    const submissions = createSubmissionTable(opened.db, options);
    const sweep = async () => {
      const cutoff = options.clock.now() - config.retentionDays * DAY_MS;
      await threads.prune(cutoff);
      await commands.prune(cutoff);
      await submissions.prune(cutoff);
      const deleted = await history.prune(cutoff);
      if (deleted > 0) options.log.info({ deleted }, "old review history deleted");
      return deleted;
    };
    await sweep();
    const every = options.every ?? intervalOf;
    const stop = every(DAY_MS, () => {
      sweep().catch((error: unknown) =>
        options.log.warn({ err: error }, "could not delete old review history"),
      );
    });
    let closing: Promise<void> | undefined;
    return {
      dialect: opened.dialect,
      where: opened.where,
      db: opened.db,
      history,
      threads,
      learnings,
      commands,
      assessments: ({ shared }) => createAssessmentTable(opened.db, { ...options, shared }),
      submissions,
      applied,
      sweep,
      close: () =>
        (closing ??= (async () => {
          stop();
          await opened.close();
        })()),
    };
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
}

function intervalOf(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

type Opened = {
  db: Kysely<Database>;
  dialect: StoreDialect;
  where: string;
  close(): Promise<void>;
};

async function openEmbedded(dataDir: string): Promise<Opened> {
  const dir = resolve(dataDir);
  const file = join(dir, EMBEDDED_FILE);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new Error(
      `[critic] cannot create CRITIC_DATA_DIR ${dir} for the embedded database (${(error as Error).message}): point CRITIC_DATA_DIR at a writable folder, set DATABASE_URL, or set CRITIC_HISTORY_RETENTION_DAYS=0 to keep no history`,
    );
  }
  const release = acquireFileLock(`${file}.lock`, `The embedded database ${file}`);
  try {
    // In a thread of its own, which loads the client: a process with DATABASE_URL (or no
    // history) never loads it. One connection: the driver serializes statements (see
    // libsql-dialect.ts), and a busy file (a backup reading it) is waited for up to 5 s rather
    // than failing at once.
    const client = await openLibsqlThread({ url: pathToFileURL(file).href, timeout: 5_000 });
    const db = new Kysely<Database>({ dialect: new LibsqlDialect(client) });
    // WAL: a reader (a backup, `sqlite3` by hand) does not block the writer; it is kept in the file.
    await sql`PRAGMA journal_mode = WAL`.execute(db);
    await sql`PRAGMA foreign_keys = ON`.execute(db);
    return {
      db,
      dialect: "sqlite",
      where: file,
      close: async () => {
        try {
          await db.destroy();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

async function openPostgres(url: string): Promise<Opened> {
  const [{ default: pg }, { PostgresDialect }] = await Promise.all([
    import("pg"),
    import("kysely"),
  ]);
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  const pool = new pg.Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 10_000,
    // int8 (COUNT, epoch-ms columns) as numbers, for this pool only: every value Critic keeps in
    // one is below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === pg.types.builtins.INT8
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (the server restarted) must not crash the process; the next query
  // reconnects.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new Error(
      `[critic] cannot reach the PostgreSQL database at ${where} (DATABASE_URL): ${(error as Error).message}`,
    );
  }
  return { db, dialect: "postgres", where, close: () => db.destroy() };
}

async function migrate(db: Kysely<Database>, dialect: StoreDialect, where: string) {
  const migrator = new Migrator({
    db,
    provider: migrationsFor(dialect),
    migrationTableName: "critic_migrations",
    migrationLockTableName: "critic_migrations_lock",
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error)
    throw new Error(
      `[critic] could not update the database schema at ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  return results.filter((r) => r.status === "Success").map((r) => r.migrationName);
}
