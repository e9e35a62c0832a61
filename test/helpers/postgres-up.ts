import { createConnection } from "node:net";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";

/** The PostgreSQL CI runs (trust auth); tests that need it skip, visibly, where it is not running. */
export const TEST_POSTGRES = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };

/** Whether that PostgreSQL accepts a connection (checked once per test file). */
export async function postgresIsUp(what: string): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: TEST_POSTGRES.host, port: TEST_POSTGRES.port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
  if (!up)
    console.warn(
      `[critic tests] PostgreSQL is not reachable at ${TEST_POSTGRES.host}:${TEST_POSTGRES.port}: ${what} skipped`,
    );
  return up;
}

/**
 * A fresh, empty database for one test run, and its removal. Created from the `test` database
 * the server always has; the name carries the pid so parallel runs never share one.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `critic_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client(TEST_POSTGRES);
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return {
    url: `postgres://${TEST_POSTGRES.user}@${TEST_POSTGRES.host}:${TEST_POSTGRES.port}/${name}`,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * For a test file that runs its suite on PostgreSQL too: whether it is up (checked now, so the
 * PostgreSQL half is skipped, visibly, where it is not) and a fresh database for the file's run,
 * created before its tests and dropped after them.
 */
export async function postgresForThisFile(
  what: string,
): Promise<{ up: boolean; url(): string | undefined }> {
  const up = await postgresIsUp(what);
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (up) database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  return { up, url: () => database?.url };
}
