import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { dashboardHistory, reviewRows } from "../../src/console/console-data.js";
import type { SubmissionRecord } from "../../src/console/submission-store.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12);
const SECRET = "sk-console-data-0123456789abcdef";

const postgres = await postgresForThisFile("the console's queries on PostgreSQL");
const BACKENDS = [
  { name: "embedded (libSQL)", url: () => undefined, available: true },
  { name: "PostgreSQL", url: () => postgres.url(), available: postgres.up },
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyStore(
  url: string | undefined,
): Promise<{ store: Store; at(ms: number): void }> {
  const dir = await mkdtemp(join(tmpdir(), "critic-console-data-"));
  let now = NOW;
  const store = await openStore(
    { databaseUrl: url, dataDir: dir, retentionDays: 90 },
    {
      log: pino({ level: "silent" }),
      redactor: createRedactor([SECRET]),
      clock: { now: () => now, sleep: async () => {}, random: () => 0.5 },
    },
  );
  for (const table of ["findings", "reviews", "submissions", "review_threads"] as const)
    await store.db.deleteFrom(table).execute();
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, at: (ms) => (now = ms) };
}

async function review(
  store: Store,
  repository: string,
  cost: number | undefined,
  rating: number | undefined,
  security = 0,
) {
  const [owner = "", repo = ""] = repository.split("/");
  await store.history.record({
    deliveryId: "d",
    installationId: 1,
    owner,
    repo,
    pullNumber: 3,
    headSha: "b".repeat(40),
    trigger: "synchronize",
    outcome: "reviewed",
    durationMs: 1500,
    ...(cost === undefined
      ? {}
      : { provider: "openai", costUsd: cost, inputTokens: 100, outputTokens: 20 }),
    ...(rating === undefined ? {} : { rating }),
    findings: Array.from({ length: security }, (_, i) => ({
      path: "a.py",
      line: i + 1,
      severity: "critical" as const,
      category: "security" as const,
      source: "static",
      message: `Finding ${i}`,
      placement: "inline" as const,
    })),
  });
}

describe.each(BACKENDS)("the console's queries ($name)", (backend) => {
  it.skipIf(!backend.available)(
    "sums spend, ratings and findings per day over 30 days, and filters reviews by repository",
    async () => {
      const { store, at } = await emptyStore(backend.url());
      at(NOW - 2 * DAY);
      await review(store, "Acme/API", 0.5, 6, 2);
      at(NOW);
      await review(store, "acme/api", 0.25, 9);
      await review(store, "acme/web", undefined, undefined);
      at(NOW - 40 * DAY);
      await review(store, "acme/old", 9, 1);

      const history = await dashboardHistory(store.db, store.threads, NOW);
      expect(history.spend_by_day).toHaveLength(30);
      expect(history.spend_by_day.at(-1)).toMatchObject({
        day: "2026-11-24",
        cost_usd: 0.25,
        reviews: 2,
        tokens: 120,
      });
      expect(history.spend_by_day.at(-3)).toMatchObject({
        day: "2026-11-22",
        cost_usd: 0.5,
        reviews: 1,
      });
      expect(history.ratings_by_day.at(-1)).toMatchObject({ average: 9, reviews: 1 });
      expect(history.findings_by_day.at(-3)).toMatchObject({ security: 2, bug: 0 });
      expect(history.spend_by_repository.map((r) => r.repository)).toEqual([
        "Acme/API",
        "acme/api",
        "acme/web",
      ]);
      expect(history.spend_by_provider).toContainEqual({
        provider: "none",
        cost_usd: 0,
        reviews: 1,
      });
      expect(history.recent).toHaveLength(4);

      const visible = await reviewRows(store.db, { repositories: ["acme/api"], limit: 10 });
      expect(visible.map((r) => r.repository)).toEqual(["acme/api", "Acme/API"]);
      expect(await reviewRows(store.db, { repositories: [], limit: 10 })).toEqual([]);
    },
  );

  it.skipIf(!backend.available)(
    "keeps submissions per owner, redacted, newest first, and deletes them past retention",
    async () => {
      const { store } = await emptyStore(backend.url());
      const base: SubmissionRecord = {
        id: "00000000-0000-4000-8000-000000000001",
        owner: "octocat",
        kind: "file",
        title: "app.py",
        status: "done",
        rating: 7,
        createdAt: NOW - 100 * DAY,
        updatedAt: NOW,
        file: { filename: "app.py", language: "python", content: `key = "${SECRET}"\n` },
      };
      await store.submissions.put(base);
      await store.submissions.put({
        ...base,
        id: "00000000-0000-4000-8000-000000000002",
        createdAt: NOW,
        title: "b.py",
      });
      await store.submissions.put({
        ...base,
        id: "00000000-0000-4000-8000-000000000003",
        owner: "hubot",
      });
      // A second put of the same id updates it.
      await store.submissions.put({ ...base, status: "failed", rating: null });

      const listed = await store.submissions.list("octocat", 10);
      expect(listed.map((s) => s.title)).toEqual(["b.py", "app.py"]);
      expect(listed[1]).toMatchObject({ status: "failed", rating: null });
      const kept = await store.submissions.get(base.id);
      expect(kept?.file?.content).not.toContain(SECRET);

      await store.sweep();
      expect((await store.submissions.list("octocat", 10)).map((s) => s.title)).toEqual(["b.py"]);
    },
  );
});
