import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../bench/fakes/harness.js";
import { HELP_TEXT } from "../../src/commands/parse-command.js";
import { readEnv } from "../../src/config/env.js";
import { createWorker } from "../../src/worker.js";
import { GITHUB, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { prCommentPayload, pullRequestPayload } from "../helpers/payloads.js";
import { redisIsUp } from "../helpers/redis-up.js";
import { serve } from "../helpers/serve.js";
import {
  APP_ID,
  captureLogs,
  createTestApp,
  privateKey,
  TestOctokit,
} from "../helpers/test-app.js";

const REDIS = "redis://127.0.0.1:6379";
const COMMENT_ID = 492700400;

// These tests need the Redis at 127.0.0.1:6379 (.ci/run starts it); elsewhere they are skipped, visibly.
const redisUp = await redisIsUp("Redis-mode tests are");

const FILE = {
  filename: "src/x.ts",
  status: "modified",
  additions: 2,
  deletions: 0,
  changes: 2,
  patch: "@@ -1,2 +1,4 @@\n a\n b\n+c\n+d",
};

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!redisUp)("Redis mode: receivers queue, workers review", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  const setup = async () => {
    const env = {
      REDIS_URL: REDIS,
      CRITIC_REDIS_PREFIX: `critic-test-${process.pid}-${Date.now()}`,
      CRITIC_DEBOUNCE_MS: "150",
      CRITIC_PR_LOCK_MS: "2000",
    };
    const receiver = await createTestApp(env);
    closers.push(() => receiver.close());
    const logsOf: string[][] = [];
    // What every worker logged, as pino wrote it.
    const workerLogs = () =>
      logsOf.flat().map((line) => JSON.parse(line) as Record<string, unknown>);
    const worker = (extra: Record<string, string> = {}) => {
      const { logs, stream } = captureLogs();
      logsOf.push(logs);
      const probot = new Probot({
        appId: APP_ID,
        privateKey,
        Octokit: TestOctokit,
        log: pino({ level: "info" }, stream),
      });
      const w = createWorker(readEnv(baseEnv({ ...env, ...extra })), probot);
      closers.push(() => w.close());
      return w;
    };
    return { receiver, worker, workerLogs };
  };

  it("reviews a burst of pushes once, on the last head", async () => {
    const { receiver, worker, workerLogs } = await setup();
    const last = "e".repeat(40);
    // The receiver noted each head in Redis: the worker checks the last one there, not on GitHub.
    const gh = githubMock().listFiles([FILE]).context().checkRun().createReview().createComment(1);
    workerTokens();
    openaiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "m" }]) }]);
    nock.enableNetConnect("127.0.0.1");
    const workers = [
      worker({ CRITIC_WORKER_PORT: String(await freePort()) }),
      worker({ CRITIC_WORKER_PORT: String(await freePort()) }),
    ];

    for (const sha of ["a", "b", "c", "d", "e"].map((c) => c.repeat(40))) {
      const base = pullRequestPayload("synchronize");
      await receiver.probot.receive({
        id: `burst-${sha}`,
        name: "pull_request",
        payload: pullRequestPayload("synchronize", {
          head: { ...base.pull_request.head, sha },
        }) as never,
      });
    }
    await until(() => gh.captured.checkUpdates.length > 0);

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.reviews[0]?.commit_id).toBe(last);
    // Each worker serves its own /metrics and /healthz; together they counted one review.
    // A worker counts the review once runReview returns, just after its last GitHub call.
    const reviewedCount = async () => {
      const served = await Promise.all(
        workers.map(async (w) =>
          (await fetch(`http://127.0.0.1:${await w.port()}/metrics`)).text(),
        ),
      );
      return served
        .map((text) =>
          Number(/critic_reviews_total\{outcome="reviewed"\} (\d+)/.exec(text)?.[1] ?? 0),
        )
        .reduce((a, b) => a + b, 0);
    };
    let reviewed = await reviewedCount();
    for (let i = 0; reviewed === 0 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 25));
      reviewed = await reviewedCount();
    }
    expect(reviewed).toBe(1);
    // The worker that ran it said so at info, with the PR, the head, the outcome and the time.
    const pr = "Codertocat/Hello-World#2";
    expect(workerLogs().filter((l) => /^review (started|ended)$/.test(String(l.msg)))).toEqual([
      expect.objectContaining({ level: 30, msg: "review started", pr, sha: last }),
      expect.objectContaining({
        level: 30,
        msg: "review ended",
        pr,
        sha: last,
        outcome: "reviewed",
        seconds: expect.any(Number),
      }),
    ]);
    const health = await (
      await fetch(`http://127.0.0.1:${await workers[0]?.port()}/healthz`)
    ).json();
    expect(health).toMatchObject({
      status: "ok",
      providers: { openai: "closed", static: "closed" },
    });
    nock.disableNetConnect();
  });

  it("hands a job back when its worker stops mid-review; another worker posts it exactly once", async () => {
    const { receiver, worker } = await setup();
    const gh = githubMock()
      // The first worker: stopped while it waits for the model, before any summary.
      .listFiles([FILE])
      .context()
      .checkRun()
      // The second worker: picks the job up and reviews it from the start, looking for a
      // review the first one might have posted before it stopped.
      .listFiles([FILE])
      .context()
      .checkRun()
      .listReviews([])
      .createReview()
      .createComment(1);
    workerTokens();
    const llm = openaiMock([
      { answer: modelAnswer([]), delayMs: 5_000 },
      { answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "m" }]) },
    ]);

    const first = worker();
    await receiver.probot.receive({
      id: "handoff",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await until(() => llm.requests.length === 1);
    worker();
    await first.close();
    await until(() => gh.captured.summaries.length >= 1);

    expect(gh.captured.reviews).toHaveLength(1);
    expect(llm.requests).toHaveLength(2);
  });
});

/** Each worker's Probot mints its own installation token: one scope of its own, persisted. */
describe.skipIf(!redisUp)("Redis mode: refusals", () => {
  it("refuses a stranger's commands on a pull request once an hour across all receivers", async () => {
    const env = {
      REDIS_URL: REDIS,
      CRITIC_REDIS_PREFIX: `critic-test-refuse-${process.pid}-${Date.now()}`,
    };
    const receivers = [await createTestApp(env), await createTestApp(env)];
    // Until a receiver's connection is up, it remembers its refusals alone.
    for (const receiver of receivers)
      for (let i = 0; i < 400 && (await receiver.health()).status !== "ok"; i++)
        await new Promise((r) => setTimeout(r, 5));
    try {
      // The second receiver needs no call at all: the permission answer is shared through Redis.
      const gh = githubMock().token().permission("visitor", "none");
      gh.scope
        .post("/repos/Codertocat/Hello-World/issues/2/comments", (b: { body: string }) => {
          gh.captured.comments.push(b);
          return true;
        })
        .reply(201, { id: 9 });

      for (const [i, receiver] of receivers.entries()) {
        await receiver.probot.receive({
          id: `refuse-${i}`,
          name: "issue_comment",
          payload: prCommentPayload("/review", "visitor") as never,
        });
        await receiver.idle();
      }

      expect(gh.captured.comments.map((c) => c.body)).toEqual([
        "Sorry @visitor, only people with write access to this repository can run Critic's commands.",
      ]);
    } finally {
      for (const receiver of receivers) await receiver.close();
    }
  });
});

describe.skipIf(!redisUp)("Redis mode: failed API authentications", () => {
  it("are counted per address by every receiver together", async () => {
    const env = {
      REDIS_URL: REDIS,
      CRITIC_REDIS_PREFIX: `critic-test-auth-${process.pid}-${Date.now()}`,
      CRITIC_API_KEYS: "critic-api-key-for-tests-0123456789",
      CRITIC_API_AUTH_FAILURES_PER_MINUTE: "3",
      // The burst below comes "from" another address, forwarded by this (trusted) loopback proxy.
      CRITIC_TRUSTED_PROXIES: "127.0.0.1",
    };
    const receivers = [await createTestApp(env), await createTestApp(env)];
    const servers = await Promise.all(receivers.map((r) => serve(r.handlers)));
    // Until a receiver's connection is up, it counts alone.
    for (const receiver of receivers)
      for (let i = 0; i < 400 && (await receiver.health()).status !== "ok"; i++)
        await new Promise((r) => setTimeout(r, 5));
    try {
      const guess = (i: number) =>
        fetch(`${servers[i % 2]?.base}/api/assessments/x`, {
          headers: { authorization: `Bearer wrong-guess-${i}` },
        }).then((r) => r.status);

      // Three wrong keys spread over both receivers, then neither takes a fourth.
      const statuses = [
        await guess(0),
        await guess(1),
        await guess(2),
        await guess(3),
        await guess(4),
      ];

      expect(statuses).toEqual([401, 401, 401, 429, 429]);

      // Guesses sent all at once from another address are counted before any is tried.
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${servers[i % 2]?.base}/api/assessments/x`, {
            headers: { authorization: `Bearer burst-${i}`, "x-forwarded-for": "203.0.113.7" },
          }).then((r) => r.status),
        ),
      );
      expect(burst.filter((status) => status === 401)).toHaveLength(3);
      expect(burst.filter((status) => status === 429)).toHaveLength(17);
    } finally {
      for (const server of servers) await server.close();
      for (const receiver of receivers) await receiver.close();
    }
  });
});

describe.skipIf(!redisUp)("Redis mode: commands", () => {
  it("runs a slash-command on a worker, which logs its start and end", async () => {
    const env = {
      REDIS_URL: REDIS,
      CRITIC_REDIS_PREFIX: `critic-test-cmd-${process.pid}-${Date.now()}`,
    };
    const receiver = await createTestApp(env);
    const { logs, stream } = captureLogs();
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      Octokit: TestOctokit,
      log: pino({ level: "info" }, stream),
    });
    const worker = createWorker(readEnv(baseEnv(env)), probot);
    try {
      const gh = githubMock()
        .token()
        .permission("maintainer", "write")
        .reaction(COMMENT_ID, "eyes")
        .createComment(2)
        .reaction(COMMENT_ID, "rocket");
      workerTokens();

      await receiver.probot.receive({
        id: "redis-help",
        name: "issue_comment",
        payload: prCommentPayload("/help") as never,
      });
      await until(() => logs.some((l) => l.includes('"msg":"command ended"')));

      expect(gh.captured.comments[0]?.body).toBe(HELP_TEXT);
      const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const pr = "Codertocat/Hello-World#2";
      expect(lines.filter((l) => /^command (started|ended)$/.test(String(l.msg)))).toEqual([
        expect.objectContaining({ level: 30, msg: "command started", pr, command: "help" }),
        expect.objectContaining({
          level: 30,
          msg: "command ended",
          pr,
          command: "help",
          outcome: "answered",
          seconds: expect.any(Number),
        }),
      ]);
    } finally {
      await worker.close();
      await receiver.close();
      nock.cleanAll();
    }
  });
});

function workerTokens() {
  nock(GITHUB)
    .persist()
    .post("/app/installations/1/access_tokens")
    .reply(201, { token: "ghs_worker", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

describe.skipIf(!redisUp)("github/permissions in Redis", () => {
  it("shares a permission answer between receivers for five minutes", async () => {
    const { Redis } = await import("ioredis");
    const { createRedisPermissionCache } = await import("../../src/github/permissions.js");
    const prefix = `critic-test-perm-${process.pid}-${Date.now()}`;
    const redis = new Redis(REDIS);
    try {
      await createRedisPermissionCache(redis, prefix).set("o/r:alice", true);
      await createRedisPermissionCache(redis, prefix).set("o/r:bob", false);

      const other = createRedisPermissionCache(redis, prefix);
      expect([
        await other.get("o/r:alice"),
        await other.get("o/r:bob"),
        await other.get("o/r:carol"),
      ]).toEqual([true, false, undefined]);
      expect(Number(await redis.pttl(`${prefix}:permission:o/r:alice`))).toBeLessThanOrEqual(
        300_000,
      );
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(!redisUp)("providers/answer-cache in Redis", () => {
  it("shares answers between workers, and a Redis failure is only a miss", async () => {
    const { Redis } = await import("ioredis");
    const { createRedisCache } = await import("../../src/providers/answer-cache.js");
    const prefix = `critic-test-cache-${process.pid}-${Date.now()}`;
    const a = new Redis(REDIS);
    const b = new Redis(REDIS);
    const answer = { findings: [], summary: "s", conclusion: "c", model: "m", dropped: 0 };
    try {
      await createRedisCache(a, prefix, 10).set("k1", answer);

      expect(await createRedisCache(b, prefix, 10).get("k1")).toEqual(answer);
      expect(await createRedisCache(b, prefix, 10).get("k2")).toBeUndefined();
      b.disconnect();
      expect(await createRedisCache(b, prefix, 10).get("k1")).toBeUndefined();
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return {
    APP_ID: String(APP_ID),
    OPENAI_API_KEY: "sk-test-0123456789abcdefghijklmnop",
    OPENAI_BASE_URL: "http://llm.test/v1",
    OPENAI_MODEL: "gpt-test",
    ...extra,
  };
}

describe.skipIf(!redisUp)("queue/redis/bull-queues", () => {
  it("keeps a /review's request and acknowledgement when a push replaces its waiting job", async () => {
    const { Queue } = await import("bullmq");
    const { createBullQueues, REVIEW_QUEUE } = await import("../../src/queue/redis/bull-queues.js");
    const prefix = `critic-test-inherit-${process.pid}-${Date.now()}`;
    const queues = createBullQueues({ redisUrl: REDIS, prefix, debounceMs: 60_000 });
    const inspect = new Queue(REVIEW_QUEUE, { connection: queues.connection, prefix });
    try {
      const base = {
        deliveryId: "d1",
        installationId: 1,
        owner: "o",
        repo: "r",
        pullNumber: 7,
        title: "t",
        body: "",
        draft: false,
      };
      await queues.reviews.enqueue({
        ...base,
        headSha: "a".repeat(40),
        trigger: "command",
        full: true,
        ack: { commentId: 99, kind: "issue" },
      });
      await queues.reviews.enqueue({
        ...base,
        deliveryId: "d2",
        headSha: "b".repeat(40),
        trigger: "synchronize",
      });

      const jobs = await inspect.getDelayed();
      expect(jobs.map((j) => j.data)).toEqual([
        expect.objectContaining({
          headSha: "b".repeat(40),
          trigger: "command",
          full: true,
          ack: { commentId: 99, kind: "issue" },
        }),
      ]);
    } finally {
      await inspect.obliterate({ force: true });
      await inspect.close();
      await queues.close();
    }
  });
  it("keeps a parked /review's request when another push arrives while a review runs", async () => {
    const { Queue, Worker } = await import("bullmq");
    const { Redis } = await import("ioredis");
    const { createBullQueues, REVIEW_QUEUE, safeId } = await import(
      "../../src/queue/redis/bull-queues.js"
    );
    const prefix = `critic-test-parked-${process.pid}-${Date.now()}`;
    const queues = createBullQueues({ redisUrl: REDIS, prefix, debounceMs: 0 });
    const workerConnection = new Redis(REDIS, { maxRetriesPerRequest: null });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const worker = new Worker(
      REVIEW_QUEUE,
      async () => {
        started = true;
        await gate;
      },
      { connection: workerConnection, prefix },
    );
    const inspect = new Queue(REVIEW_QUEUE, { connection: queues.connection, prefix });
    try {
      const base = {
        installationId: 1,
        owner: "o",
        repo: "r",
        pullNumber: 8,
        title: "t",
        body: "",
        draft: false,
      };
      await queues.reviews.enqueue({
        ...base,
        deliveryId: "a",
        headSha: "a".repeat(40),
        trigger: "opened",
      });
      await until(() => started);
      await queues.reviews.enqueue({
        ...base,
        deliveryId: "b",
        headSha: "b".repeat(40),
        trigger: "command",
        full: true,
        ack: { commentId: 7, kind: "issue" },
      });
      await queues.reviews.enqueue({
        ...base,
        deliveryId: "c",
        headSha: "c".repeat(40),
        trigger: "synchronize",
      });

      const parked = await queues.connection.hget(
        `${prefix}:${REVIEW_QUEUE}:dn:${safeId("o/r#8")}`,
        "data",
      );
      expect(JSON.parse(parked ?? "{}")).toMatchObject({
        headSha: "c".repeat(40),
        trigger: "command",
        full: true,
        ack: { commentId: 7, kind: "issue" },
      });
    } finally {
      release();
      await worker.close();
      workerConnection.disconnect();
      await inspect.obliterate({ force: true });
      await inspect.close();
      await queues.close();
    }
  });
});

describe.skipIf(!redisUp)("assess/assessment-store in Redis", () => {
  it("keeps records, lists the unfinished, and lets one process claim a job at a time", async () => {
    const { Redis } = await import("ioredis");
    const { createRedisStore } = await import("../../src/assess/assessment-store.js");
    const redis = new Redis(REDIS);
    const prefix = `critic-test-assess-${process.pid}-${Date.now()}`;
    const store = createRedisStore(redis, prefix);
    try {
      const record = {
        id: "0b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b",
        status: "running" as const,
        request: {
          assignment_description: "x",
          github_repo_url: "https://github.com/o/r",
          candidate_level: "junior" as const,
        },
        progress: { files_done: 0, files_total: 2 },
        attempts: 1,
        createdAt: "2026-11-23T10:00:00.000Z",
        updatedAt: "2026-11-23T10:00:00.000Z",
      };
      await store.put(record);
      expect(await store.get(record.id)).toEqual(record);
      expect((await store.unfinished()).map((r) => r.id)).toEqual([record.id]);
      expect(await store.claim(record.id, "worker-a", 5_000)).toBe(true);
      expect(await store.claim(record.id, "worker-b", 5_000)).toBe(false);
      // The holder renews its claim; the other still cannot take it, until it is released.
      expect(await store.claim(record.id, "worker-a", 5_000)).toBe(true);
      expect(await store.claim(record.id, "worker-b", 5_000)).toBe(false);
      await store.release(record.id, "worker-b");
      expect(await store.claim(record.id, "worker-b", 5_000)).toBe(false);
      await store.release(record.id, "worker-a");
      expect(await store.claim(record.id, "worker-b", 5_000)).toBe(true);
      await store.put({ ...record, status: "done" });
      expect(await store.unfinished()).toEqual([]);
      expect(await store.get("../../etc/passwd")).toBeUndefined();
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
