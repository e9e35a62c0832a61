import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { realClock } from "../../src/resilience/clock.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type StoreConfig } from "../../src/store/open-store.js";
import type { ReviewRecord } from "../../src/store/review-history.js";
import { startCritic } from "../fakes/critic-process.js";
import { startFakeGitHub } from "../fakes/fake-github.js";
import { judged, row, type ScenarioResult } from "../lib/report.js";
import { APP_ID, SECRET } from "../lib/setup.js";

const STARTS = 7;
const WRITES = 1_000;
const READS = 500;
const RSS_TARGET_MB = 40;
const START_TARGET_MS = 300;

/**
 * What the embedded store costs the server: the real server (`dist/bin/start.js`) started
 * `STARTS` times with the store (the default) and as many times without it
 * (`CRITIC_HISTORY_RETENTION_DAYS=0`), alternating, each in a fresh folder (so every start with
 * the store creates the file and runs the migrations: the dearer case). Start-up is spawn to the
 * first `200` from `/healthz` (polled every 50 ms); memory is the main process's resident set
 * once it answers and a second has passed. Then the write and read rate of the store itself, in
 * this process: reviews with five findings each, and the newest 20 reviews of a pull request.
 */
export async function storeCost(): Promise<ScenarioResult> {
  const github = await startFakeGitHub({ appId: APP_ID, headSha: () => "0".repeat(40), files: [] });
  const runs: Record<"with" | "without", { ms: number[]; rss: number[] }> = {
    with: { ms: [], rss: [] },
    without: { ms: [], rss: [] },
  };
  try {
    for (let i = 0; i < STARTS * 2; i++) {
      const kind = i % 2 === 0 ? "with" : "without";
      const started = performance.now();
      const critic = await startCritic({
        appId: APP_ID,
        secret: SECRET,
        githubUrl: github.url,
        env: kind === "without" ? { CRITIC_HISTORY_RETENTION_DAYS: "0" } : {},
      });
      runs[kind].ms.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      runs[kind].rss.push(rssMb(critic.pid));
      await critic.stop();
    }
  } finally {
    await github.close();
  }
  const rssMore = median(runs.with.rss) - median(runs.without.rss);
  const msMore = median(runs.with.ms) - median(runs.without.ms);
  const embedded = await rates({ databaseUrl: undefined, retentionDays: 90 });
  const postgres = await postgresRates();
  return {
    id: "store",
    title: "Review history store: cost to the server, and its rates",
    method: `The real server started ${STARTS} times with the embedded store (libSQL, the default) and ${STARTS} times without it (\`CRITIC_HISTORY_RETENTION_DAYS=0\`), alternating, each in an empty folder, so each start with the store creates its file and applies the migrations. Start-up: spawn to the first 200 from /healthz, polled every 50 ms (medians). Memory: the main process's VmRSS one second after it answers (medians; the analysis processes are the same in both and not counted). Rates: ${WRITES} reviews of five findings each recorded one after another, then ${READS} reads of a pull request's newest 20 reviews with their findings, in this process.`,
    rows: [
      row(
        "start-up, with / without the store",
        `${median(runs.with.ms).toFixed(0)} ms / ${median(runs.without.ms).toFixed(0)} ms`,
      ),
      judged(
        "start-up added by the store",
        `${msMore.toFixed(0)} ms`,
        `≤ ${START_TARGET_MS} ms`,
        msMore <= START_TARGET_MS,
      ),
      row(
        "resident memory, with / without the store",
        `${median(runs.with.rss).toFixed(1)} MB / ${median(runs.without.rss).toFixed(1)} MB`,
      ),
      judged(
        "resident memory added by the store",
        `${rssMore.toFixed(1)} MB`,
        `≤ ${RSS_TARGET_MB} MB`,
        rssMore <= RSS_TARGET_MB,
      ),
      row("embedded: reviews recorded per second", embedded.writes.toFixed(0)),
      row("embedded: pull-request histories read per second", embedded.reads.toFixed(0)),
      row(
        "PostgreSQL: reviews recorded per second",
        postgres ? postgres.writes.toFixed(0) : "not measured (no PostgreSQL at 127.0.0.1:5432)",
      ),
      row(
        "PostgreSQL: pull-request histories read per second",
        postgres ? postgres.reads.toFixed(0) : "not measured",
      ),
    ],
    notes: [
      `Start-ups with the store: ${runs.with.ms.map((n) => n.toFixed(0)).join(", ")} ms; without: ${runs.without.ms.map((n) => n.toFixed(0)).join(", ")} ms.`,
      "Each record is one transaction (the review row and its findings), committed before the next starts; the embedded file is in WAL mode.",
    ],
  };
}

async function rates(
  config: Omit<StoreConfig, "dataDir">,
): Promise<{ writes: number; reads: number }> {
  const dir = await mkdtemp(join(tmpdir(), "critic-store-bench-"));
  const store = await openStore(
    { ...config, dataDir: dir },
    { log: pino({ level: "silent" }), redactor: createRedactor(), clock: realClock },
  );
  try {
    const started = performance.now();
    for (let i = 0; i < WRITES; i++) await store.history.record(review(i));
    const writes = WRITES / ((performance.now() - started) / 1000);
    const readStarted = performance.now();
    for (let i = 0; i < READS; i++)
      await store.history.recent({
        owner: "org",
        repo: "app",
        pullNumber: 1 + (i % 50),
        limit: 20,
      });
    const reads = READS / ((performance.now() - readStarted) / 1000);
    return { writes, reads };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same on a fresh database of the local PostgreSQL, when one answers. */
async function postgresRates(): Promise<{ writes: number; reads: number } | undefined> {
  const server = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
  const name = `critic_bench_${process.pid}`;
  const admin = async (statement: string) => {
    const client = new pg.Client(server);
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch {
    return undefined;
  }
  try {
    return await rates({
      databaseUrl: `postgres://postgres@127.0.0.1:5432/${name}`,
      retentionDays: 90,
    });
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function review(i: number): ReviewRecord {
  return {
    deliveryId: `bench-${i}`,
    installationId: 1,
    owner: "org",
    repo: "app",
    pullNumber: 1 + (i % 50),
    headSha: i.toString(16).padStart(40, "0"),
    trigger: "synchronize",
    outcome: "reviewed",
    durationMs: 1_000,
    provider: "openai",
    models: ["gpt-4.1-mini"],
    inputTokens: 5_000,
    outputTokens: 600,
    costUsd: 0.003,
    rating: 7,
    findings: Array.from({ length: 5 }, (_, j) => ({
      path: `src/file${j}.ts`,
      line: 10 + j,
      severity: "warning" as const,
      category: "bug" as const,
      source: "openai",
      message: `Finding ${j} of review ${i}: a possible null dereference.`,
      placement: "inline" as const,
    })),
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
