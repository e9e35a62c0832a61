import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AssessmentResult } from "../../src/assess/assess-repository.js";
import { createAssessmentRunner, isQueueFull } from "../../src/assess/assessment-runner.js";
import { type AssessmentRecord, createDiskStore } from "../../src/assess/assessment-store.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function store() {
  const dir = await mkdtemp(join(tmpdir(), "critic-runner-"));
  dirs.push(dir);
  return createDiskStore(dir);
}

const quiet = { info() {}, warn() {}, error() {} };
const request = {
  assignment_description: "x",
  github_repo_url: "https://github.com/o/r",
  candidate_level: "junior" as const,
};
const record = (patch: Partial<AssessmentRecord>): AssessmentRecord => ({
  id: "0b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b",
  status: "running",
  request,
  progress: { files_done: 0, files_total: 0 },
  attempts: 1,
  createdAt: "2026-11-23T10:00:00.000Z",
  updatedAt: "2026-11-23T10:00:00.000Z",
  ...patch,
});

async function settle(s: Awaited<ReturnType<typeof store>>, id: string) {
  for (let i = 0; i < 200; i++) {
    const r = await s.get(id);
    if (r?.status === "done" || r?.status === "failed") return r;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("never settled");
}

describe("assess/assessment-runner", () => {
  it("refuses a submission past the cap of unfinished assessments", async () => {
    const s = await store();
    const runner = createAssessmentRunner({
      store: s,
      concurrency: 1,
      log: quiet,
      maxUnfinished: 2,
      run: (_request, signal) =>
        new Promise<AssessmentResult>((_resolve, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    });
    await runner.submit(request);
    await runner.submit(request);

    const third = await runner.submit(request).catch((error: unknown) => error);

    expect(isQueueFull(third)).toBe(true);
    await runner.close();
  });

  it("accepts no more than the cap when submissions arrive at once, however slow the store's count", async () => {
    const fast = await store();
    // A count that takes a while (a database a network away) and answers what was stored when it began.
    const s = {
      ...fast,
      unfinished: async () => {
        const now = await fast.unfinished();
        await new Promise((resolve) => setTimeout(resolve, 5));
        return now;
      },
    };
    const runner = createAssessmentRunner({
      store: s,
      concurrency: 1,
      log: quiet,
      maxUnfinished: 2,
      run: (_request, signal) =>
        new Promise<AssessmentResult>((_resolve, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => runner.submit(request)),
    );

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === "rejected" && isQueueFull(o.reason))).toHaveLength(
      8,
    );
    expect(await s.unfinished()).toHaveLength(2);
    await runner.close();
  });

  it("deletes finished assessments past their retention, and keeps the rest", async () => {
    const s = await store();
    const old = "1b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b";
    const recent = "2b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b";
    const waiting = "3b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b";
    await s.put(record({ id: old, status: "done", updatedAt: "2026-11-01T00:00:00.000Z" }));
    await s.put(record({ id: recent, status: "failed", updatedAt: "2026-11-23T00:00:00.000Z" }));
    await s.put(record({ id: waiting, status: "queued", updatedAt: "2026-11-01T00:00:00.000Z" }));

    const removed = await s.prune(Date.parse("2026-11-17T00:00:00.000Z"));

    expect(removed).toBe(1);
    expect(await s.get(old)).toBeUndefined();
    expect(await s.get(recent)).toBeDefined();
    expect(await s.get(waiting)).toBeDefined();
  });

  it("fails a job restarts interrupted twice instead of running it a third time", async () => {
    const s = await store();
    await s.put(record({ attempts: 2 }));
    let ran = 0;
    const runner = createAssessmentRunner({
      store: s,
      concurrency: 1,
      log: quiet,
      run: async () => {
        ran++;
        throw new Error("should not run");
      },
    });
    await runner.resume();
    const done = await settle(s, record({}).id);
    expect(done.error).toMatch(/interrupted by restarts twice/);
    expect(ran).toBe(0);
    await runner.close();
  });

  it("puts a running job back in the queue on shutdown, without counting the attempt", async () => {
    const s = await store();
    let started = false;
    const runner = createAssessmentRunner({
      store: s,
      concurrency: 1,
      log: quiet,
      run: (_request, signal) =>
        new Promise<AssessmentResult>((_resolve, reject) => {
          started = true;
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    });
    const submitted = await runner.submit(request);
    while (!started) await new Promise((resolve) => setTimeout(resolve, 5));
    await runner.close();
    expect(await s.get(submitted.id)).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("records progress, then a full bar and the result when done", async () => {
    const s = await store();
    const result = { rating: 7 } as unknown as AssessmentResult;
    const runner = createAssessmentRunner({
      store: s,
      concurrency: 1,
      log: quiet,
      run: async (_request, _signal, onProgress) => {
        onProgress({ files_done: 0, files_total: 4 });
        onProgress({ files_done: 2, files_total: 4 });
        return result;
      },
    });
    const submitted = await runner.submit(request);
    const done = await settle(s, submitted.id);
    expect(done).toMatchObject({
      status: "done",
      attempts: 1,
      progress: { files_done: 4, files_total: 4 },
      result: { rating: 7 },
    });
    await runner.close();
  });
});
