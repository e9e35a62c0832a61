import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/security/redactor.js";
import { StoreLockedError } from "../../src/store/file-lock.js";
import { migrationsFor } from "../../src/store/migrations.js";
import {
  EMBEDDED_FILE,
  openStore,
  type Store,
  type StoreConfig,
} from "../../src/store/open-store.js";
import type { ReviewRecord } from "../../src/store/review-history.js";
import { createFakeClock } from "../helpers/fake-clock.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";

const DAY = 86_400_000;
const SECRET = "sk-store-test-0123456789abcdef";
const silent = pino({ level: "silent" });

const REVIEW: ReviewRecord = {
  deliveryId: "delivery-1",
  installationId: 4_000_000_001,
  owner: "octo",
  repo: "app",
  pullNumber: 7,
  headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  trigger: "opened",
  outcome: "reviewed",
  durationMs: 1234.6,
  provider: "openai",
  models: ["gpt-4.1-mini"],
  inputTokens: 1200,
  outputTokens: 300,
  costUsd: 0.0012,
  rating: 6,
  findings: [
    {
      path: "src/math.js",
      line: 5,
      severity: "warning",
      category: "bug",
      source: "openai",
      message: "Division by zero returns Infinity.",
      placement: "inline",
      // REST comment ids are past 2^31.
      commentId: 2_500_000_123,
    },
    {
      path: "src/config.js",
      line: 1,
      severity: "critical",
      category: "security",
      source: "secrets",
      message: `A key ${SECRET} is committed. ${"x".repeat(5_000)}`,
      placement: "summary",
    },
  ],
};

type Backend = { name: string; config(dir: string): StoreConfig; available(): boolean };

// Checked while collecting, so the PostgreSQL half is skipped (and says so) where it is not up.
const postgres = await postgresForThisFile("the store suite on PostgreSQL");
const postgresUp = postgres.up;

const BACKENDS: Backend[] = [
  {
    name: "embedded (libSQL)",
    config: (dir) => ({ databaseUrl: undefined, dataDir: dir, retentionDays: 90 }),
    available: () => true,
  },
  {
    name: "PostgreSQL",
    config: (dir) => ({ databaseUrl: postgres.url(), dataDir: dir, retentionDays: 90 }),
    available: () => postgresUp,
  },
];

describe.each(BACKENDS)("the store on $name", (backend) => {
  let dir = "";
  const open: Store[] = [];
  const opened = async (
    clock = createFakeClock(Date.UTC(2026, 10, 1)),
    every?: (ms: number, fn: () => void) => () => void,
  ) => {
    const store = await openStore(backend.config(dir), {
      log: silent,
      redactor: createRedactor([SECRET]),
      clock: clock.clock,
      every,
    });
    open.push(store);
    return store;
  };
  const closeAll = async () => {
    for (const store of open.splice(0)) await store.close();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "critic-store-"));
  });
  afterAll(async () => {
    await closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it.runIf(backend.available())(
    "applies its migrations once: a second start applies nothing",
    async () => {
      const first = await opened();
      const all = Object.keys(await migrationsFor(first.dialect).getMigrations()).sort();
      expect(all[0]).toBe("0001_review_history");
      expect(all).toContain("0003_review_threads");
      expect(first.applied).toEqual(all);
      await closeAll();
      const second = await opened();
      expect(second.applied).toEqual([]);
      await closeAll();
    },
  );

  it.runIf(backend.available())(
    "keeps what became of Critic's comments, and the acted-on share per repository",
    async () => {
      const clock = createFakeClock(Date.UTC(2026, 10, 1));
      const store = await opened(clock);
      const thread = (id: string, resolvedBy?: "person" | "critic", dismissed = false) => ({
        id,
        commentId: 2_500_000_000 + id.length,
        path: "src/a.ts",
        line: 3,
        fingerprint: "0123456789abcdef",
        resolvedBy,
        outdated: false,
        replies: dismissed ? 1 : 0,
        dismissed,
        thumbsUp: 1,
        thumbsDown: 0,
      });
      await store.threads.note("octo/app", 1, [
        thread("A", "person"),
        thread("B", "critic"),
        thread("C", undefined, true),
        thread("D"),
      ]);
      await store.threads.note("octo/other", 2, [thread("E")]);
      // Seen again later: its state moves on, it is not counted twice.
      clock.advance(DAY);
      await store.threads.note("octo/app", 1, [thread("D", "person")]);
      await store.threads.setResolved("C", true);
      await store.threads.setResolved("never-seen", true);

      expect(await store.threads.actedOn("octo/app", 0)).toEqual({ actedOn: 4, total: 4 });
      const all = await store.threads.actedOnByRepository(0);
      expect(Object.fromEntries(all)).toEqual({
        "octo/app": { actedOn: 4, total: 4 },
        "octo/other": { actedOn: 0, total: 1 },
      });
      // Retention drops what was first seen before the cutoff.
      expect(await store.threads.prune(Date.UTC(2026, 10, 1) + 1)).toBe(5);
      await closeAll();
    },
  );

  it.runIf(backend.available())(
    "records a review with its findings and reads it back, redacted and bounded",
    async () => {
      const store = await opened();
      const id = await store.history.record(REVIEW);
      const [stored] = await store.history.recent({ owner: "octo", repo: "app", pullNumber: 7 });

      expect(stored).toMatchObject({
        id,
        createdAt: Date.UTC(2026, 10, 1),
        repo: "app",
        owner: "octo",
        installationId: 4_000_000_001,
        headSha: REVIEW.headSha,
        durationMs: 1235,
        provider: "openai",
        models: ["gpt-4.1-mini"],
        inputTokens: 1200,
        outputTokens: 300,
        costUsd: 0.0012,
        rating: 6,
        bySeverity: { critical: 1, warning: 1, suggestion: 0 },
        byCategory: { bug: 1, security: 1, performance: 0, maintainability: 0, style: 0, tests: 0 },
      });
      expect(stored?.findings.map((f) => [f.path, f.line, f.placement, f.commentId])).toEqual([
        ["src/math.js", 5, "inline", 2_500_000_123],
        ["src/config.js", 1, "summary", undefined],
      ]);
      const leaked = stored?.findings[1]?.message ?? "";
      expect(leaked).not.toContain(SECRET);
      expect(leaked).toContain("[REDACTED]");
      expect(leaked.length).toBeLessThanOrEqual(2_000);
      expect(stored?.findings[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(await store.history.count({ owner: "octo", repo: "app" })).toBe(1);
      expect(await store.history.count({ owner: "octo", repo: "other" })).toBe(0);
      await closeAll();
    },
  );

  it.runIf(backend.available())("keeps its data across a restart", async () => {
    const before = await opened();
    const count = await before.history.count();
    await before.history.record({ ...REVIEW, deliveryId: "delivery-restart", findings: [] });
    await closeAll();
    const after = await opened();
    expect(await after.history.count()).toBe(count + 1);
    expect((await after.history.recent({ limit: 1 }))[0]?.deliveryId).toBe("delivery-restart");
    await closeAll();
  });

  it.runIf(backend.available())(
    "deletes history past retention at start-up and once a day",
    async () => {
      const clock = createFakeClock(Date.UTC(2027, 0, 1));
      const daily: Array<{ ms: number; fn: () => void }> = [];
      const store = await opened(clock, (ms, fn) => {
        daily.push({ ms, fn });
        return () => undefined;
      });
      // Whatever earlier tests left (dated 2026-11) is older than 90 days by 2027-04.
      await store.history.record({ ...REVIEW, deliveryId: "old" });
      clock.advance(60 * DAY);
      await store.history.record({ ...REVIEW, deliveryId: "new" });
      clock.advance(31 * DAY);

      expect(daily.map((d) => d.ms)).toEqual([DAY]);
      daily[0]?.fn();
      await expect.poll(() => store.history.count()).toBe(1);
      const [kept] = await store.history.recent();
      expect(kept?.deliveryId).toBe("new");
      expect(kept?.findings).toHaveLength(2);
      // Nothing orphaned: the old review's findings went with it.
      const findings = await store.db.selectFrom("findings").select("review_id").execute();
      expect(new Set(findings.map((f) => f.review_id))).toEqual(new Set([kept?.id]));

      // At the next start the sweep runs before anything else.
      await closeAll();
      clock.advance(60 * DAY);
      const later = await opened(clock);
      expect(await later.history.count()).toBe(0);
      await closeAll();
    },
  );
});

describe("the embedded store's lock", () => {
  it("refuses a second opener with a message that names the owner and DATABASE_URL", async () => {
    const dir = await mkdtemp(join(tmpdir(), "critic-lock-"));
    const config = { databaseUrl: undefined, dataDir: dir, retentionDays: 90 };
    const options = { log: silent, redactor: createRedactor(), clock: createFakeClock().clock };
    const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/hold-store.ts", dir], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("open")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
      });

      const refused = openStore(config, options);
      await expect(refused).rejects.toBeInstanceOf(StoreLockedError);
      await expect(refused).rejects.toThrow(`is in use by process ${child.pid} (since`);
      await expect(refused).rejects.toThrow("set DATABASE_URL to a PostgreSQL database");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin.end();
      await exited;
    }
    // Released on close: the next opener gets it.
    const store = await openStore(config, options);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a second store in the same process, and takes over a dead process's lock", async () => {
    const dir = await mkdtemp(join(tmpdir(), "critic-lock-"));
    const config = { databaseUrl: undefined, dataDir: dir, retentionDays: 90 };
    const options = { log: silent, redactor: createRedactor(), clock: createFakeClock().clock };
    const first = await openStore(config, options);
    await expect(openStore(config, options)).rejects.toThrow(`is in use by process ${process.pid}`);
    await first.close();
    expect(existsSync(join(dir, `${EMBEDDED_FILE}.lock`))).toBe(false);

    // A process that was killed leaves its lock behind; a pid that has exited owns nothing.
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.once("exit", resolve));
    await writeFile(
      join(dir, `${EMBEDDED_FILE}.lock`),
      JSON.stringify({ pid: dead.pid, host: hostname(), since: "2026-01-01T00:00:00.000Z" }),
    );
    const taken = await openStore(config, options);
    await taken.close();
    await rm(dir, { recursive: true, force: true });
  });
});
