import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { freePort } from "../../bench/fakes/harness.js";
import { openRedis } from "../../src/queue/redis/open-redis.js";
import { captureLogs, createTestApp } from "../helpers/test-app.js";

const run = promisify(execFile);

/** Polls until `check` holds; the waits are for real sockets, bounded. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
    const app = await createTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      const health = await app.health();

      expect(health.status).toBe("degraded");
      expect(health.reason).toBe(`cannot reach Redis at 127.0.0.1:${port}`);
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
});
