import { execFile, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { freePort } from "../../bench/fakes/harness.js";
import { openRedis } from "../../src/queue/redis/open-redis.js";
import {
  foldRedisErrors,
  REPORT_EVERY_MS,
  reportRedisError,
  reportRedisReady,
} from "../../src/queue/redis/redis-health.js";
import { serve } from "../helpers/serve.js";
import { captureLogs, createTestApp, privateKey } from "../helpers/test-app.js";

const run = promisify(execFile);

/** Polls until `check` holds; the waits are for real sockets, bounded. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("reporting Redis errors", () => {
  const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

  it("says a host is unreachable once per interval, whichever connection failed, and again after it came back", () => {
    const { logs, stream } = captureLogs();
    const log = pino({ level: "info" }, stream);
    const where = "report-test-a:6379";
    for (let i = 0; i < 50; i++) reportRedisError(where, refused(), log, 1_000 + i * 100);
    reportRedisError(where, new Error("Connection is closed."), log, 1_000 + REPORT_EVERY_MS - 1);
    reportRedisError(where, refused(), log, 1_000 + REPORT_EVERY_MS);
    reportRedisReady(where, log);
    reportRedisReady(where, log);
    reportRedisError(where, refused(), log, 1_000 + REPORT_EVERY_MS + 10);

    expect(logs.map((l) => JSON.parse(l).msg)).toEqual([
      `cannot reach Redis at ${where}`,
      `cannot reach Redis at ${where}`,
      `Redis at ${where} is reachable again`,
      `cannot reach Redis at ${where}`,
    ]);
  });

  it("says any other error once per interval per message", () => {
    const { logs, stream } = captureLogs();
    const log = pino({ level: "info" }, stream);
    const where = "report-test-b:6379";
    for (let i = 0; i < 10; i++) {
      reportRedisError(where, new Error("NOSCRIPT No matching script"), log, i);
      reportRedisError(where, new Error("x".repeat(10_000)), log, i);
    }

    expect(logs.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 40,
        msg: "Redis error",
        err: "NOSCRIPT No matching script",
      }),
      expect.objectContaining({ level: 40, msg: "Redis error", err: "x".repeat(300) }),
    ]);
  });

  it("folds the rate limiter's connection errors in Probot's log, and passes every other line", () => {
    const { logs, stream } = captureLogs();
    const log = foldRedisErrors(pino({ level: "info" }, stream), "report-test-c:6379");
    const child = log.child({ name: "octokit" });
    for (let i = 0; i < 20; i++) child.error(Object.assign(refused(), { source: "bottleneck" }));
    child.error({ status: 500 }, "a GitHub error");
    child.info("hello");

    expect(logs.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 40, msg: "cannot reach Redis at report-test-c:6379" }),
      expect.objectContaining({ level: 50, msg: "a GitHub error", name: "octokit" }),
      expect.objectContaining({ level: 30, msg: "hello", name: "octokit" }),
    ]);
  });
});

describe("Redis unreachable", () => {
  it("is reported once per interval, naming the host and never the password", async () => {
    const port = await freePort();
    const { logs, stream } = captureLogs();
    const log = pino({ level: "info" }, stream);
    const redis = openRedis(`redis://:hunter2-password@127.0.0.1:${port}`, log);
    let errors = 0;
    redis.on("error", () => errors++);

    await until(() => errors >= 3);
    redis.disconnect();

    expect(logs.map((l) => JSON.parse(l).msg)).toEqual([`cannot reach Redis at 127.0.0.1:${port}`]);
    expect(logs.join("")).not.toContain("hunter2");
  });

  it("makes /healthz answer 503 degraded, with the reason", async () => {
    const port = await freePort();
    const app = await createTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      CRITIC_API_KEYS: "critic-api-key-for-tests-0123456789",
    });
    try {
      const health = await app.health();

      expect(health.status).toBe("degraded");
      expect(health.reason).toBe(`cannot reach Redis at 127.0.0.1:${port}`);
      // What Redis shares (failed authentications) is this process's alone meanwhile: a request
      // is answered, not held until Redis is back.
      const server = await serve(app.handlers);
      try {
        const answer = await fetch(`${server.base}/api/assessments/x`, {
          headers: { authorization: "Bearer wrong" },
        });
        expect(answer.status).toBe(401);
      } finally {
        await server.close();
      }
    } finally {
      app.runtime.queues?.connection.disconnect();
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, 1_000))]);
    }
  });

  it("a worker without REDIS_URL says so in one line and exits 2", async () => {
    const { APP_ID: _a, REDIS_URL: _r, ...env } = process.env;
    const result = await run(process.execPath, ["--import", "tsx", "src/bin/worker.ts"], {
      env: { ...env, APP_ID: "1" },
    }).catch((error: { code: number; stderr: string; stdout: string }) => error);

    expect("code" in result ? result.code : 0).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "critic worker: REDIS_URL is not set. A worker takes its jobs from the Redis the receivers queue them in: set REDIS_URL to it.",
    ]);
  });

  // A Redis that takes each connection and resets it: every client sees ECONNRESET, as when Redis
  // goes away, and the test counts the reconnects rather than waiting a guessed time.
  async function resettingRedis(): Promise<{ port: number; attempts(): number; close(): void }> {
    let attempts = 0;
    const server = createServer((socket: Socket) => {
      attempts++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as { port: number }).port,
      attempts: () => attempts,
      close: () => server.close(),
    };
  }

  it.each([
    ["receiver", "src/bin/start.ts", '"msg":"listening"'],
    ["worker", "src/bin/worker.ts", '"msg":"worker started, taking jobs from Redis"'],
  ])(
    "a %s whose Redis keeps failing says so in one line, prints no stack, and ends soon after SIGTERM",
    async (_kind, bin, started) => {
      const redis = await resettingRedis();
      const { DATABASE_URL: _d, ...env } = process.env;
      const child = spawn(process.execPath, ["--import", "tsx", bin], {
        env: {
          ...env,
          APP_ID: "123",
          PRIVATE_KEY: privateKey,
          WEBHOOK_SECRET: "outage-secret",
          REDIS_URL: `redis://:hunter2-password@127.0.0.1:${redis.port}`,
          LOG_LEVEL: "info",
          LOG_FORMAT: "json",
          NODE_ENV: "production",
          PORT: "0",
          CRITIC_WORKER_PORT: "0",
          CRITIC_DATA_DIR: await mkdtemp(join(tmpdir(), "critic-outage-")),
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      try {
        // Every connection (queues, workers, locks, Probot's rate limiter) retries many times.
        await until(() => redis.attempts() >= 12 && stdout.includes(started), 30_000);
        const signalled = Date.now();
        child.kill("SIGTERM");
        const code = await exited;
        const stoppedInMs = Date.now() - signalled;

        const lines = stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as { level: number; msg: string });
        expect(lines.filter((l) => l.msg.startsWith("cannot reach Redis"))).toEqual([
          expect.objectContaining({
            level: 40,
            msg: `cannot reach Redis at 127.0.0.1:${redis.port}`,
          }),
        ]);
        expect(lines.filter((l) => l.level >= 50)).toEqual([]);
        expect(stderr).toBe("");
        expect(stdout).not.toContain("hunter2");
        expect(code).toBe(0);
        expect(stoppedInMs).toBeLessThan(10_000);
      } finally {
        child.kill("SIGKILL");
        redis.close();
      }
    },
    60_000,
  );
});
