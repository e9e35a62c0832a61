import { createHmac } from "node:crypto";
import { request } from "node:http";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCritic } from "../../src/index.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { APP_ID, captureLogs, privateKey, TestOctokit, testEnv } from "../helpers/test-app.js";

const SECRET = "webhook-secret-for-tests";

describe("the HTTP server", () => {
  const { logs, stream } = captureLogs();
  const log = pino({ level: "info" }, stream);
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    Octokit: TestOctokit,
    log,
  });
  const critic = createCritic(testEnv({ WEBHOOK_SECRET: SECRET }), { probot });
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    nock.enableNetConnect("127.0.0.1");
    server = await startServer({
      probot,
      app: critic.app,
      host: "127.0.0.1",
      port: 0,
      log,
      secret: SECRET,
    });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.stop();
    nock.disableNetConnect();
  });

  const deliver = (body: string, signature: string) =>
    fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "e2e-delivery-1",
        "x-hub-signature-256": signature,
      },
      body,
    });

  it("answers a signed pull_request.opened at once, then posts the review and the summary", async () => {
    const body = JSON.stringify(pullRequestPayload("opened"));
    const gh = githubMock()
      .token()
      .context()
      .createComment(1)
      .listFiles([
        {
          filename: "a.ts",
          status: "added",
          additions: 2,
          deletions: 0,
          changes: 2,
          patch: "@@ -0,0 +1,2 @@\n+const x = 1;\n+export { x };",
        },
      ])
      .checkRun()
      .createReview();
    openaiMock([
      {
        answer: modelAnswer([
          { path: "a.ts", line: 30, message: "Nowhere near the diff." },
          { path: "a.ts", line: 1, message: "Name x better." },
        ]),
      },
    ]);

    const response = await deliver(
      body,
      `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    );
    await critic.queue.onIdle();

    expect(response.status).toBe(200);
    expect(
      (gh.captured.reviews[0] as { comments: Array<{ line: number }> }).comments.map((c) => c.line),
    ).toEqual([1]);
    expect(gh.captured.summaries.at(-1)).toContain("**Outside the diff (1)**");
    expect(gh.captured.summaries.at(-1)).toContain("**6/10**");
  });

  it("refuses a delivery whose signature does not match, and does no work", async () => {
    const body = JSON.stringify(pullRequestPayload("opened"));
    const earlier = logs.length;

    const response = await deliver(body, `sha256=${"0".repeat(64)}`);
    await critic.queue.onIdle();

    expect(response.status).toBe(400);
    expect(critic.queue.stats()).toEqual({ pending: 0, running: 0 });
    // One short warning, and not a byte of the payload.
    const lines = logs.slice(earlier);
    const refusals = lines.filter((l) => l.includes("signature does not match"));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"level":40');
    expect(lines.join("")).not.toContain("Hello-World");
  });

  it("refuses a body over GitHub's 25 MB cap with 413, declared or not, without buffering it", async () => {
    const big = Buffer.alloc(26 * 1024 * 1024, "a");
    const before = logs.join("").length;

    const declared = await deliver(big.toString(), "sha256=00");
    // A chunked body states no length: it is counted as it arrives, and cut off past the cap.
    const streamed = await fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "e2e-delivery-2",
        "x-hub-signature-256": "sha256=00",
      },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 27; i++) controller.enqueue(new Uint8Array(1024 * 1024));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit).catch(() => undefined);

    expect(declared.status).toBe(413);
    // Any spelling of the webhook path Probot would accept gets the same checks first.
    const slashed = await fetch(`${base}/api/github/webhooks/`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "e2e-delivery-3",
        "x-hub-signature-256": "sha256=00",
      },
      body: big,
    });
    expect(slashed.status).toBe(413);
    // The server may close the connection before the client has sent it all.
    if (streamed) expect(streamed.status).toBe(413);
    expect(logs.join("").length - before).toBeLessThan(2_000);
  });

  it("serves /metrics for Prometheus, counting what happened", async () => {
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toContain('critic_webhooks_received_total{event="pull_request"} 1');
    expect(text).toContain('critic_reviews_total{outcome="reviewed"} 1');
    expect(text).toContain("critic_review_duration_seconds_count 1");
    expect(text).toContain('critic_llm_tokens_total{provider="openai",direction="in"} 1200');
    expect(text).toContain('critic_llm_requests_total{provider="openai",cached="false"} 1');
    expect(text).toContain('critic_provider_breaker_state{provider="openai"} 0');
    expect(text).toContain('critic_queue_jobs{state="waiting"} 0');
    // The main thread has done some work by now (a review), and it is counted in seconds.
    const busy = Number(/^critic_main_thread_busy_seconds ([\d.e-]+)$/m.exec(text)?.[1]);
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThan(process.uptime());
    expect(text).not.toContain(SECRET);
  });

  it("serves /healthz with version, queue and providers", async () => {
    const response = await fetch(`${base}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ok",
      version: "0.1.0",
      queue: { pending: 0, running: 0 },
      providers: { openai: "closed", static: "closed" },
    });
    expect(logs.join("")).not.toContain(SECRET);
  });
});

describe("webhook bodies held at once", () => {
  const { logs, stream } = captureLogs();
  const log = pino({ level: "info" }, stream);
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    Octokit: TestOctokit,
    log,
  });
  const critic = createCritic(testEnv({ WEBHOOK_SECRET: SECRET }), { probot });
  let server: RunningServer;

  beforeAll(async () => {
    nock.enableNetConnect("127.0.0.1");
    server = await startServer({
      probot,
      app: critic.app,
      host: "127.0.0.1",
      port: 0,
      log,
      secret: SECRET,
      webhookBodiesBytes: 1024 * 1024,
      bodyTimeoutMs: 500,
    });
  });

  afterAll(async () => {
    await server.stop();
    nock.disableNetConnect();
  });

  /** A delivery whose body is sent in part and held open; resolves with the status, if one comes. */
  function holdOpen(bytes: number, declared?: number) {
    const req = request({
      host: "127.0.0.1",
      port: server.port,
      method: "POST",
      path: "/api/github/webhooks",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": `held-${bytes}`,
        "x-hub-signature-256": "sha256=00",
        ...(declared ? { "content-length": String(declared) } : {}),
      },
    });
    const status = new Promise<number | undefined>((resolve) => {
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", () => resolve(undefined));
    });
    const sent = new Promise<void>((resolve) =>
      req.write(Buffer.alloc(bytes, "a"), () => resolve()),
    );
    return { req, status, sent };
  }

  const ping = (body: string) =>
    fetch(`http://127.0.0.1:${server.port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "after",
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });

  it("refuses a delivery with 503 while unsigned bodies hold the budget, and takes one again once they are gone", async () => {
    // 900 KB of a declared 1 MB: the bytes that arrived hold their share until the body ends.
    const held = holdOpen(900 * 1024, 1024 * 1024);
    await held.sent;
    for (let i = 0; i < 400 && (server.webhookBytesHeld?.() ?? 0) < 900 * 1024; i++)
      await new Promise((r) => setTimeout(r, 5));
    const refused = await fetch(`http://127.0.0.1:${server.port}/api/github/webhooks`, {
      method: "POST",
      headers: { "x-github-event": "ping", "x-hub-signature-256": "sha256=00" },
      body: Buffer.alloc(200 * 1024, "b"),
    });

    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(logs.filter((l) => l.includes("too many webhook bodies"))).toHaveLength(1);

    held.req.destroy();
    // A declared length that has not arrived holds nothing: idle connections cannot fill it.
    const idle = [holdOpen(0, 20 * 1024 * 1024), holdOpen(0, 20 * 1024 * 1024)];
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    let accepted: Response | undefined;
    for (let i = 0; i < 100 && accepted?.status !== 200; i++) accepted = await ping(body);
    expect(accepted?.status).toBe(200);
    for (const connection of idle) connection.req.destroy();
  });

  it("answers 408 to a body that stops arriving, before closing the connection", async () => {
    const held = holdOpen(10);

    expect(await held.status).toBe(408);
    held.req.destroy();
  });
});
