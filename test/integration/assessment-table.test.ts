/**
 * Assessment records in Critic's database, on both databases: the same interface as the file
 * and Redis stores (records, the unfinished queue, claims, retention), the runner's queue cap on
 * top, and the HTTP API storing its assessments there when the server has a database.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createAssessmentRunner, isQueueFull } from "../../src/assess/assessment-runner.js";
import type { AssessmentRecord } from "../../src/assess/assessment-store.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";
import { repositoryMock } from "../helpers/repository-nock.js";
import { serve } from "../helpers/serve.js";
import { createTestApp } from "../helpers/test-app.js";

const SECRET = "sk-assessment-table-0123456789abcdef";
const KEY = "critic-api-key-for-tests-0123456789";
const AUTH = { authorization: `Bearer ${KEY}` };

const postgres = await postgresForThisFile("the assessment table on PostgreSQL");
const postgresUp = postgres.up;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function record(n: number, status: AssessmentRecord["status"], at: string): AssessmentRecord {
  return {
    id: `0b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7${n}`,
    status,
    request: {
      assignment_description: `Write a calculator. Key: ${SECRET}`,
      github_repo_url: "https://github.com/cand/calc",
      candidate_level: "middle",
    },
    progress: { files_done: 0, files_total: 0 },
    attempts: 0,
    createdAt: at,
    updatedAt: at,
  };
}

describe.each([
  { name: "embedded (libSQL)", url: () => undefined, available: () => true },
  { name: "PostgreSQL", url: () => postgres.url(), available: () => postgresUp },
])("assessments in the database on $name", (backend) => {
  let now = Date.UTC(2026, 10, 1);
  const clock = { now: () => now, sleep: async () => {}, random: () => 0.5 };

  async function freshStore(): Promise<{ store: Store; dir: string }> {
    const dir = await mkdtemp(join(tmpdir(), "critic-assessment-table-"));
    const store = await openStore(
      { databaseUrl: backend.url(), dataDir: dir, retentionDays: 90 },
      { log: pino({ level: "silent" }), redactor: createRedactor([SECRET]), clock },
    );
    await store.db.deleteFrom("assessments").execute();
    cleanups.push(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { store, dir };
  }

  it.runIf(backend.available())(
    "keeps records (redacted), lists the unfinished oldest first, and prunes only finished ones",
    async () => {
      const { store } = await freshStore();
      const records = store.assessments({ shared: false });
      await records.put(record(2, "running", "2026-11-01T10:00:02.000Z"));
      await records.put(record(1, "queued", "2026-11-01T10:00:01.000Z"));
      await records.put(record(3, "done", "2026-11-01T10:00:03.000Z"));
      const old = record(4, "failed", "2026-10-01T10:00:00.000Z");
      await records.put({ ...old, error: "The repository was not found." });
      // A put replaces the record.
      await records.put({ ...record(2, "running", "2026-11-01T10:00:02.000Z"), attempts: 1 });

      expect((await records.unfinished()).map((r) => [r.id.at(-1), r.status, r.attempts])).toEqual([
        ["1", "queued", 0],
        ["2", "running", 1],
      ]);
      const done = await records.get(record(3, "done", "").id);
      expect(done?.status).toBe("done");
      expect(done?.request.assignment_description).toContain("Write a calculator. Key: ");
      expect(JSON.stringify(done)).not.toContain(SECRET);
      expect(await records.get("not-an-id")).toBeUndefined();
      expect(await records.get("0b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a79")).toBeUndefined();

      expect(await records.prune(Date.parse("2026-10-15T00:00:00.000Z"))).toBe(1);
      expect(await records.get(old.id)).toBeUndefined();
      expect(await records.get(record(3, "done", "").id)).toBeDefined();
      expect(await records.unfinished()).toHaveLength(2);
    },
  );

  it.runIf(backend.available())(
    "claims a job for one process at a time when processes share the database, until the claim lapses",
    async () => {
      const { store } = await freshStore();
      const shared = store.assessments({ shared: true });
      const job = record(5, "queued", "2026-11-01T10:00:00.000Z");
      // Claimed before it is stored, as the runner does: no reader sees the claim alone.
      expect(await shared.claim(job.id, "a", 60_000)).toBe(true);
      expect(await shared.get(job.id)).toBeUndefined();
      await shared.put(job);
      expect(await shared.claim(job.id, "b", 60_000)).toBe(false);
      expect(await shared.claim(job.id, "a", 60_000)).toBe(true);
      now += 61_000;
      expect(await shared.claim(job.id, "b", 60_000)).toBe(true);
      await shared.release(job.id, "a");
      expect(await shared.claim(job.id, "a", 60_000)).toBe(false);
      await shared.release(job.id, "b");
      expect(await shared.claim(job.id, "a", 60_000)).toBe(true);
      // The record itself is untouched by claims.
      expect((await shared.get(job.id))?.status).toBe("queued");
      // One process alone: a claim a crash left behind holds nothing up.
      expect(await store.assessments({ shared: false }).claim(job.id, "c", 60_000)).toBe(true);
    },
  );

  it.runIf(backend.available())("keeps the runner's queue cap", async () => {
    const { store } = await freshStore();
    const runner = createAssessmentRunner({
      store: store.assessments({ shared: false }),
      run: (_request, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        ),
      concurrency: 1,
      maxUnfinished: 2,
      log: pino({ level: "silent" }),
    });
    cleanups.push(() => runner.close());
    const { request } = record(0, "queued", "");
    await runner.submit(request);
    await runner.submit(request);
    const refused = await runner.submit(request).catch((error: unknown) => error);
    expect(isQueueFull(refused)).toBe(true);
  });

  it.runIf(backend.available())(
    "the HTTP API keeps its assessments in the database, not in files",
    async () => {
      const { store, dir } = await freshStore();
      const app = await createTestApp(
        { CRITIC_API_KEYS: KEY, CRITIC_DATA_DIR: dir, OPENAI_API_KEY: "" },
        { store },
      );
      const server = await serve(app.handlers);
      cleanups.push(async () => {
        await server.close();
        await app.close();
      });
      repositoryMock({ installed: false });

      const res = await fetch(`${server.base}/api/assessments`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify({
          assignment_description: "Write a calculator.",
          github_repo_url: "https://github.com/cand/calc",
          candidate_level: "junior",
        }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      let body: { status?: string; result?: { rated_by: string } } = {};
      for (let i = 0; i < 200 && body.status !== "done" && body.status !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const polled = await fetch(`${server.base}/api/assessments/${id}`, { headers: AUTH });
        body = (await polled.json()) as typeof body;
      }
      expect(body.status).toBe("done");
      expect(body.result?.rated_by).toBe("rubric");
      const row = await store.db
        .selectFrom("assessments")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirst();
      expect(row?.status).toBe("done");
      expect(existsSync(join(dir, "assessments", `${id}.json`))).toBe(false);
    },
  );
});
