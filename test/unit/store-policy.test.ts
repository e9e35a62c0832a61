import pino from "pino";
import { describe, expect, it } from "vitest";
import { readEnv } from "../../src/config/env.js";
import type { ReviewResult } from "../../src/model/review-result.js";
import type { ReviewJob } from "../../src/queue/review-job.js";
import { openRuntimeStore } from "../../src/runtime.js";
import { createRedactor } from "../../src/security/redactor.js";
import { fingerprint } from "../../src/store/fingerprint.js";
import { reviewRecordOf } from "../../src/store/record-review.js";
import { captureLogs } from "../helpers/test-app.js";

const JOB: ReviewJob = {
  deliveryId: "d-1",
  installationId: 1,
  owner: "octo",
  repo: "app",
  pullNumber: 3,
  headSha: "abc1234",
  title: "t",
  body: "",
  draft: false,
  trigger: "synchronize",
};

describe("which processes open a database", () => {
  const secrets = createRedactor();
  // A folder that cannot be created: a test that opened the store would fail on it.
  const nowhere = { CRITIC_DATA_DIR: "/proc/critic-never" };

  it("the CLI and the Action open none: nothing to remember there", async () => {
    const env = readEnv(nowhere);
    const log = pino({ level: "silent" });
    expect(await openRuntimeStore(env, "cli", { log, secrets })).toBeUndefined();
    expect(await openRuntimeStore(env, "action", { log, secrets })).toBeUndefined();
  });

  it("CRITIC_HISTORY_RETENTION_DAYS=0 keeps no history", async () => {
    const env = readEnv({ ...nowhere, CRITIC_HISTORY_RETENTION_DAYS: "0" });
    const log = pino({ level: "silent" });
    expect(await openRuntimeStore(env, "server", { log, secrets })).toBeUndefined();
  });

  it("Redis mode without DATABASE_URL says that it keeps no history, and runs on", async () => {
    const env = readEnv({ ...nowhere, REDIS_URL: "redis://127.0.0.1:6379" });
    const { logs, stream } = captureLogs();
    const log = pino({ level: "info" }, stream);
    expect(await openRuntimeStore(env, "worker", { log, secrets })).toBeUndefined();
    expect(logs.join("")).toContain("Redis mode keeps no review history without DATABASE_URL");
  });

  it("reads DATABASE_URL and the retention, keeps the password secret, and refuses other URLs", () => {
    const env = readEnv({ DATABASE_URL: "postgres://critic:hunter2-long-pass@db:5432/critic" });
    expect(env.store).toEqual({
      databaseUrl: "postgres://critic:hunter2-long-pass@db:5432/critic",
      dataDir: ".critic-data",
      retentionDays: 90,
    });
    expect(env.secrets).toContain("hunter2-long-pass");
    expect(() => readEnv({ DATABASE_URL: "mysql://root@db/critic" })).toThrow(
      "DATABASE_URL must be a PostgreSQL URL",
    );
    expect(() => readEnv({ CRITIC_HISTORY_RETENTION_DAYS: "-1" })).toThrow(
      "CRITIC_HISTORY_RETENTION_DAYS must be a whole number from 0 to 3650",
    );
  });
});

describe("fingerprint", () => {
  const base = {
    path: "src/a.ts",
    category: "bug",
    source: "openai",
    message: "Division by zero on line 12.",
  };

  it("stays the same when the line moves, the wording's numbers change or another model found it", () => {
    const print = fingerprint(base);
    expect(fingerprint({ ...base, message: "division  by zero on line 40." })).toBe(print);
    expect(fingerprint({ ...base, source: "gemini" })).toBe(print);
  });

  it("differs by file, category and static rule, and prefers the code line to the words", () => {
    const print = fingerprint(base);
    expect(fingerprint({ ...base, path: "src/b.ts" })).not.toBe(print);
    expect(fingerprint({ ...base, category: "security" })).not.toBe(print);
    expect(fingerprint({ ...base, source: "secrets" })).not.toBe(
      fingerprint({ ...base, source: "debugger" }),
    );
    const onCode = fingerprint({ ...base, code: "  return a /  b;" });
    expect(fingerprint({ ...base, message: "Other words.", code: "return a / b;" })).toBe(onCode);
  });
});

describe("reviewRecordOf", () => {
  it("records the job and how it ended when there is no result", () => {
    expect(reviewRecordOf({ job: JOB, outcome: "skipped", durationMs: 40 })).toEqual({
      deliveryId: "d-1",
      installationId: 1,
      owner: "octo",
      repo: "app",
      pullNumber: 3,
      headSha: "abc1234",
      trigger: "synchronize",
      outcome: "skipped",
      durationMs: 40,
    });
  });

  it("adds usage, rating and the posted findings, and those carried from an earlier review as earlier", () => {
    const finding = {
      path: "a.ts",
      line: 2,
      severity: "warning" as const,
      category: "bug" as const,
      message: "m",
      source: "openai",
    };
    const result = {
      inline: [finding],
      summaryOnly: [
        { ...finding, line: 90, placement: "outside-diff" as const },
        { ...finding, line: 1, placement: "earlier" as const },
      ],
      resolved: [],
      decisions: [],
      rating: { score: 7, reason: "", computed: false },
      overview: "",
      conclusion: "",
      servedBy: "openai",
      ai: "full",
      usage: [
        {
          provider: "openai",
          model: "m1",
          inputTokens: 10,
          outputTokens: 2,
          costUsd: 0.5,
          requests: 1,
          cached: 0,
        },
        {
          provider: "openai",
          model: "m1",
          inputTokens: 5,
          outputTokens: 1,
          costUsd: undefined,
          requests: 1,
          cached: 0,
        },
      ],
      notes: [],
    } as unknown as ReviewResult;
    const record = reviewRecordOf({ job: JOB, outcome: "reviewed", durationMs: 1, result });
    expect(record).toMatchObject({
      provider: "openai",
      models: ["m1"],
      inputTokens: 15,
      outputTokens: 3,
      costUsd: 0.5,
      rating: 7,
    });
    // Carried findings are kept (the newest review holds all its summary lists), marked earlier.
    expect(record.findings?.map((f) => [f.line, f.placement])).toEqual([
      [2, "inline"],
      [90, "summary"],
      [1, "earlier"],
    ]);
  });
});
