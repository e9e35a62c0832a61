import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createDiskStore } from "../../src/assess/assessment-store.js";
import { readEnv } from "../../src/config/env.js";
import { createApiWithoutApp } from "../../src/index.js";
import { startSetupServer } from "../../src/server/setup-server.js";
import { GITHUB } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { repositoryMock } from "../helpers/repository-nock.js";
import { serve } from "../helpers/serve.js";
import { captureLogs, createTestApp, type TestApp } from "../helpers/test-app.js";

const KEY = "critic-api-key-for-tests-0123456789";
const AUTH = { authorization: `Bearer ${KEY}` };
const PYTHON = "import os\n\nvalue = eval(input())\nprint(value)\n";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(env: Record<string, string> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), "critic-api-"));
  const app = await createTestApp({
    CRITIC_API_KEYS: KEY,
    CRITIC_DATA_DIR: dataDir,
    ...env,
  });
  const server = await serve(app.handlers);
  cleanups.push(async () => {
    await server.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { app, base: server.base, dataDir };
}

const staticOnly = { OPENAI_API_KEY: "" };

function upload(name: string, text: string, language?: string) {
  const form = new FormData();
  form.set("file", new Blob([text]), name);
  if (language) form.set("language", language);
  return form;
}

async function until(app: TestApp, id: string, base: string): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${base}/api/assessments/${id}`, { headers: AUTH });
    const body = (await res.json()) as { status: string };
    if (body.status === "done" || body.status === "failed") return body as unknown;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`assessment ${id} never finished: ${app.logs.slice(-3).join("")}`);
}

describe("POST /api/reviews", () => {
  it("reviews an uploaded Python file and flags the eval of input on its line", async () => {
    const { base } = await start(staticOnly);
    const res = await fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: AUTH,
      body: upload("app.py", PYTHON),
    });
    expect(res.status).toBe(200);
    const review = (await res.json()) as {
      language: string;
      rating: number;
      issues: Array<{ line: number; severity: string; category: string }>;
      provider: string;
    };
    expect(review.language).toBe("python");
    expect(review.issues).toContainEqual(
      expect.objectContaining({ line: 3, severity: "error", category: "security" }),
    );
    expect(review.rating).toBeLessThan(10);
    expect(review.provider).toContain("static");
  });

  it("reviews an upload of 200,000 lines and flags the eval on its last line", async () => {
    const { base } = await start(staticOnly);
    const lines = Array.from({ length: 199_999 }, (_, i) => `v${i} = ${i}`);
    lines.push("value = eval(input())");

    const res = await fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: AUTH,
      body: upload("big.py", `${lines.join("\n")}\n`),
    });

    expect(res.status).toBe(200);
    const review = (await res.json()) as { issues: Array<{ line: number; severity: string }> };
    expect(review.issues).toContainEqual(
      expect.objectContaining({ line: 200_000, severity: "error" }),
    );
  });

  it("takes JSON too, asks the model, and returns a verified refactoring on ?refactor=true", async () => {
    const { base } = await start();
    const llm = openaiMock([
      { answer: modelAnswer([{ path: "app.py", line: 4, message: "Printing raw input." }]) },
      {
        text: JSON.stringify({
          refactored_code: "import ast\n\nvalue = ast.literal_eval(input())\nprint(value)\n",
          changes: ["eval replaced by ast.literal_eval"],
        }),
      },
    ]);
    const res = await fetch(`${base}/api/reviews?refactor=true`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ filename: "app.py", content: PYTHON }),
    });
    const review = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(review.issues).toContainEqual(
      expect.objectContaining({ line: 4, description: "Printing raw input." }),
    );
    expect(review.refactored_code).toContain("ast.literal_eval");
    expect(review.refactor_verified).toBe(true);
    expect(review.changes).toEqual(["eval replaced by ast.literal_eval"]);
    expect(llm.requests).toHaveLength(2);
  });

  it("holds a multipart upload's name and language to the JSON form's limits, answering briefly", async () => {
    const { base } = await start(staticOnly);
    const send = (name: string, language?: string) =>
      fetch(`${base}/api/reviews`, {
        method: "POST",
        headers: AUTH,
        body: upload(name, PYTHON, language),
      });

    const long = await send(`${"a".repeat(300_000)}.ts`);
    const spoofed = await send("invoice\u202Egpj.py");
    const language = await send("app.py", "x".repeat(100_000));

    for (const res of [long, spoofed, language]) {
      expect(res.status).toBe(400);
      expect((await res.text()).length).toBeLessThan(500);
    }
  });

  it("logs a review whose client hung up as one info line, not an error", async () => {
    const { app, base } = await start();
    let release = () => {};
    const heldUntil = new Promise<void>((resolve) => {
      release = resolve;
    });
    const llm = openaiMock([{ answer: modelAnswer([]), heldUntil }]);
    const client = new AbortController();
    const pending = fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ filename: "app.py", content: PYTHON }),
      signal: client.signal,
    }).catch(() => undefined);
    // The review is waiting for its model when the client gives up.
    for (let i = 0; i < 400 && llm.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 5));

    client.abort();
    await pending;
    release();
    for (let i = 0; i < 200 && !app.logs.join("").includes("the client went away"); i++)
      await new Promise((r) => setTimeout(r, 5));

    const lines = app.logs.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: "API request ended: the client went away" }),
    );
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("says a refactoring that does not parse could not be verified", async () => {
    const { base } = await start();
    openaiMock([
      { answer: modelAnswer([]) },
      { text: JSON.stringify({ refactored_code: "def broken(:\n  pass", changes: [] }) },
    ]);
    const res = await fetch(`${base}/api/reviews?refactor=1`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ filename: "app.py", content: PYTHON }),
    });
    const review = (await res.json()) as Record<string, unknown>;
    expect(review.refactor_verified).toBe(false);
    expect(review.refactor_note).toMatch(/does not parse as python/);
  });

  it("refuses a file over 5 MB with 413 and an unsupported extension with 400", async () => {
    const { base } = await start(staticOnly);
    const big = await fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: AUTH,
      body: upload("big.py", "x = 1\n".repeat(900_000)),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: "payload_too_large" });

    const odd = await fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: AUTH,
      body: upload("notes.xyz", "hello"),
    });
    expect(odd.status).toBe(400);
    const body = (await odd.json()) as { error: string; message: string };
    expect(body.error).toBe("unsupported_language");
    expect(body.message).toContain("python");
    expect(body.message).toContain("typescript");
  });
});

describe("API authentication, validation and limits", () => {
  it("keeps single-file reviews to their own slots and refuses past a short wait line", async () => {
    // One slot (half of CRITIC_CONCURRENCY=2) and 16 waiting: the 18th upload at once is refused.
    const { base } = await start({ CRITIC_CONCURRENCY: "2" });
    openaiMock([
      { answer: modelAnswer([]), delayMs: 500 },
      ...Array.from({ length: 16 }, () => ({ answer: modelAnswer([]) })),
    ]);
    const send = (i: number) =>
      fetch(`${base}/api/reviews`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify({ filename: `f${i}.py`, content: `x${i} = ${i}\n` }),
      });

    const first = send(0);
    await new Promise((r) => setTimeout(r, 100));
    const rest = await Promise.all(Array.from({ length: 17 }, (_, i) => send(i + 1)));
    const statuses = [(await first).status, ...rest.map((r) => r.status)];

    expect(statuses.filter((s) => s === 200)).toHaveLength(17);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(rest.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("5");
  });

  it("throttles failed authentications per client address, whatever key comes next", async () => {
    const { base } = await start({ CRITIC_API_AUTH_FAILURES_PER_MINUTE: "3" });
    const post = (authorization: string) =>
      fetch(`${base}/api/reviews`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ filename: "a.py", content: "x = 1\n" }),
      });

    const guesses = [];
    for (let i = 0; i < 3; i++) guesses.push((await post(`Bearer guess-${i}`)).status);
    const blocked = await post("Bearer guess-4");
    const evenTheKey = await post(`Bearer ${KEY}`);

    expect(guesses).toEqual([401, 401, 401]);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(evenTheKey.status).toBe(429);
  });

  it("lets no more guesses through than the limit when they arrive all at once", async () => {
    const { base } = await start({ CRITIC_API_AUTH_FAILURES_PER_MINUTE: "3" });

    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${base}/api/assessments/x`, {
          headers: { authorization: `Bearer burst-${i}` },
        }).then((r) => r.status),
      ),
    );

    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
  });

  it("answers 401 without a key or with a wrong one, and says when the API is off", async () => {
    const { base } = await start(staticOnly);
    const none = await fetch(`${base}/api/assessments/x`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const wrong = await fetch(`${base}/api/assessments/x`, {
      headers: { authorization: "Bearer not-the-key" },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${base}/api/assessments/x`, { headers: AUTH });
    expect(right.status).toBe(404);
    expect(await right.json()).toEqual({
      error: "not_found",
      message: "no assessment has this id",
    });

    const off = await createTestApp(staticOnly);
    const offServer = await serve(off.handlers);
    cleanups.push(offServer.close);
    const res = await fetch(`${offServer.base}/api/reviews`, { method: "POST", headers: AUTH });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toContain("CRITIC_API_KEYS");
  });

  it("accepts a key given as its sha256 hash", async () => {
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(KEY).digest("hex");
    const { base } = await start({ ...staticOnly, CRITIC_API_KEYS: `sha256:${hash}` });
    const res = await fetch(`${base}/api/assessments/x`, { headers: AUTH });
    expect(res.status).toBe(404);
  });

  it.each([
    [{ github_repo_url: "https://github.com/o/r", candidate_level: "Lead" }, "candidate_level"],
    [{ github_repo_url: "not a url", candidate_level: "junior" }, "github_repo_url"],
    [{ github_repo_url: "https://gitlab.com/o/r", candidate_level: "junior" }, "github_repo_url"],
    [{ github_repo_url: "http://127.0.0.1/o/r", candidate_level: "junior" }, "github_repo_url"],
    [{ github_repo_url: "file:///etc/passwd", candidate_level: "junior" }, "github_repo_url"],
    [
      { github_repo_url: "https://github.com.evil.test/o/r", candidate_level: "junior" },
      "github_repo_url",
    ],
    [
      { github_repo_url: "https://user:pw@github.com/o/r", candidate_level: "junior" },
      "github_repo_url",
    ],
    [{ github_repo_url: "https://github.com/o/r", candidate_level: "senior", ref: "a b" }, "ref"],
    [
      { github_repo_url: "https://github.com/o/r", candidate_level: "senior" },
      "assignment_description",
    ],
  ])("refuses %j naming the field %s, and fetches nothing", async (fields, field) => {
    const { base } = await start(staticOnly);
    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "Build a CLI.",
        ...fields,
        ...(field === "assignment_description" ? { assignment_description: "" } : {}),
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_request");
    expect(body.message.startsWith(`${field}:`)).toBe(true);
  });

  it("refuses a JSON body over 64 KB with 413 and malformed JSON with 400", async () => {
    const { base } = await start(staticOnly);
    const big = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ assignment_description: "x".repeat(70_000) }),
    });
    expect(big.status).toBe(413);
    const bad = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "invalid_request",
      message: "the body is not valid JSON",
    });
  });

  it("limits each key's requests and says when to come back", async () => {
    const { base } = await start({ ...staticOnly, CRITIC_API_REQUESTS_PER_MINUTE: "2" });
    const post = () =>
      fetch(`${base}/api/reviews`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify({ filename: "a.py", content: "print(1)\n" }),
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: "rate_limited" });
  });

  it("serves its OpenAPI description and a docs page without a key", async () => {
    const { base } = await start(staticOnly);
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/assessments", "/api/assessments/{id}", "/api/reviews"]),
    );
    // The reference renders offline: every endpoint is on the page, which loads and runs nothing.
    const page = await fetch(`${base}/api/docs`);
    const html = await page.text();
    expect(html).toContain('href="/api/openapi.json"');
    for (const endpoint of [
      "POST /api/assessments",
      "GET /api/assessments/{id}",
      "POST /api/reviews",
    ])
      expect(html).toContain(
        endpoint.replace(" ", "</span> <code>").replace(/^(\w+)/, '<span class="method">$1'),
      );
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\/(?!github)/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await fetch(`${base}/api/nothing`, { headers: AUTH })).status).toBe(404);
  });
});

describe("assessments", () => {
  it("reviews a candidate's repository end to end and reports it for the level", async () => {
    const { app, base } = await start();
    repositoryMock({ installed: true });
    const llm = openaiMock([
      {
        answer: modelAnswer([
          { path: "calc.py", line: 3, message: "eval of user input runs arbitrary code." },
        ]),
      },
      {
        text: `Here it is:\n\`\`\`json\n${JSON.stringify({
          rating: 4,
          rating_rationale: "Works, but evaluates raw input and has no real tests.",
          conclusion: "Not at the senior bar yet.",
        })}\n\`\`\``,
      },
    ]);
    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "Write a Python calculator that reads an expression.",
        github_repo_url: "https://github.com/cand/calc",
        candidate_level: "SENIOR",
      }),
    });
    expect(res.status).toBe(202);
    const { id, status_url } = (await res.json()) as { id: string; status_url: string };
    expect(status_url).toBe(`/api/assessments/${id}`);

    const done = (await until(app, id, base)) as unknown as {
      status: string;
      progress: { files_done: number; files_total: number };
      result: {
        found_files: Array<{ path: string; reviewed: boolean; reason?: string }>;
        downsides: Array<{ file: string; line: number; severity: string }>;
        rating: number;
        rating_rationale: string;
        conclusion: string;
      };
    };
    expect(done.status).toBe("done");
    expect(done.progress).toEqual({ files_done: 3, files_total: 3 });
    expect(done.result.rating).toBe(4);
    expect(done.result.conclusion).toBe("Not at the senior bar yet.");
    expect(done.result.downsides).toContainEqual(
      expect.objectContaining({ file: "calc.py", line: 3 }),
    );
    const found = Object.fromEntries(done.result.found_files.map((f) => [f.path, f]));
    expect(found["calc.py"]?.reviewed).toBe(true);
    expect(found["package-lock.json"]).toMatchObject({ reviewed: false, reason: "lockfile" });
    expect(found["logo.png"]?.reviewed).toBe(false);
    // The synthesis saw the assignment and the level.
    const synthesis = llm.requests[1]?.messages.map((m) => m.content).join("\n") ?? "";
    expect(synthesis).toContain("Write a Python calculator");
    expect(synthesis).toContain("senior level");

    const md = await fetch(`${base}/api/assessments/${id}.md`, { headers: AUTH });
    const text = await md.text();
    expect(md.headers.get("content-type")).toContain("text/markdown");
    for (const section of [
      "## Found files",
      "## Downsides and comments",
      "## Rating: 4/10",
      "## Conclusion",
    ])
      expect(text).toContain(section);
  });

  it("reads a public repository where the App is not installed, and rates by rubric without a model", async () => {
    const { app, base } = await start(staticOnly);
    repositoryMock({ installed: false });
    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "Write a calculator.",
        github_repo_url: "https://github.com/cand/calc/",
        candidate_level: "junior",
      }),
    });
    const { id } = (await res.json()) as { id: string };
    const done = (await until(app, id, base)) as unknown as {
      result: { rated_by: string; rating: number; downsides: unknown[] };
    };
    expect(done.result.rated_by).toBe("rubric");
    expect(done.result.downsides).toContainEqual(
      expect.objectContaining({ file: "calc.py", line: 3 }),
    );
  });

  it("answers 429 with retry-after past CRITIC_ASSESS_MAX_QUEUED, however many arrive at once", async () => {
    const { app, base } = await start({ ...staticOnly, CRITIC_ASSESS_MAX_QUEUED: "1" });
    // The accepted assessment's first read waits until the others have been answered.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    nock(GITHUB)
      .get("/repos/cand/slow/installation")
      .reply(async () => {
        await held;
        return [404, { message: "Not Found" }];
      })
      .get("/repos/cand/slow")
      .reply(404, { message: "Not Found" });
    const submit = () =>
      fetch(`${base}/api/assessments`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify({
          assignment_description: "Anything.",
          github_repo_url: "https://github.com/cand/slow",
          candidate_level: "middle",
        }),
      });

    const answers = await Promise.all([submit(), submit(), submit()]);
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ id?: string }>));
    release();

    expect(answers.map((a) => a.status).sort()).toEqual([202, 429, 429]);
    answers.forEach((answer, i) => {
      if (answer.status !== 429) return;
      expect(answer.headers.get("retry-after")).toBe("60");
      expect(bodies[i]).toMatchObject({ error: "queue_full" });
    });
    const id = bodies[answers.findIndex((a) => a.status === 202)]?.id ?? "";
    expect(await until(app, id, base)).toMatchObject({ status: "failed" });
  });

  it("marks a repository that does not exist as failed, with a reason", async () => {
    const { app, base } = await start(staticOnly);
    nock(GITHUB)
      .get("/repos/cand/gone/installation")
      .reply(404, { message: "Not Found" })
      .get("/repos/cand/gone")
      .reply(404, { message: "Not Found" });
    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "Anything.",
        github_repo_url: "https://github.com/cand/gone",
        candidate_level: "middle",
      }),
    });
    const { id } = (await res.json()) as { id: string };
    const failed = (await until(app, id, base)) as unknown as { status: string; error: string };
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/not found/i);
    const md = await fetch(`${base}/api/assessments/${id}.md`, { headers: AUTH });
    expect(md.status).toBe(409);
  });

  it("refuses a private repository the App is not installed on, even if a pooled token could read it", async () => {
    const { app, base } = await start({
      ...staticOnly,
      GITHUB_TOKENS: "ghp_operators_own_token_123456",
    });
    nock(GITHUB)
      .get("/repos/cand/secret/installation")
      .reply(404, { message: "Not Found" })
      .get("/repos/cand/secret")
      .reply(200, { default_branch: "main", private: true });
    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "Anything.",
        github_repo_url: "https://github.com/cand/secret",
        candidate_level: "middle",
        ref: "main",
      }),
    });
    const { id } = (await res.json()) as { id: string };
    const failed = (await until(app, id, base)) as { status: string; error: string };
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/not found/i);
    expect(JSON.stringify(failed)).not.toContain("ghp_operators");
  });

  it("takes up an assessment a restart left queued", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "critic-restart-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const id = "0b7c8a52-7f1e-4a55-9c1a-2f3d4e5f6a7b";
    await createDiskStore(dataDir).put({
      id,
      status: "running",
      request: {
        assignment_description: "Write a calculator.",
        github_repo_url: "https://github.com/cand/calc",
        candidate_level: "middle",
      },
      progress: { files_done: 1, files_total: 3 },
      attempts: 1,
      createdAt: "2026-11-23T10:00:00.000Z",
      updatedAt: "2026-11-23T10:00:01.000Z",
    });
    repositoryMock({ installed: false });
    const { app, base } = await start({ ...staticOnly, CRITIC_DATA_DIR: dataDir });
    const done = (await until(app, id, base)) as unknown as { status: string };
    expect(done.status).toBe("done");
    expect(app.logs.join("")).toContain("resuming an assessment");
  });
});

describe("the API without a registered GitHub App", () => {
  it("reviews single files and serves its docs beside the registration page; assessments say they need the App", async () => {
    nock.enableNetConnect("127.0.0.1");
    const env = readEnv({ CRITIC_API_KEYS: KEY, OPENAI_API_KEY: "" });
    expect(env.appId).toBe(0);
    const { logs, stream } = captureLogs();
    const log = pino({ level: "info" }, stream);
    const api = createApiWithoutApp(env, { log });
    const server = await startSetupServer({
      host: "127.0.0.1",
      port: 0,
      log,
      appYml: { name: "Critic" },
      github: { webUrl: "https://github.com", apiBaseUrl: GITHUB, org: undefined },
      proxyUrl: undefined,
      envFile: { path: ".env", read: async () => "", write: async () => {} },
      setupToken: "one-time-setup-token-0123",
      handlers: api.handlers,
    });
    cleanups.push(async () => {
      await server.stop();
      await api.close();
      nock.disableNetConnect();
    });
    const base = `http://127.0.0.1:${server.port}`;

    const review = await fetch(`${base}/api/reviews`, {
      method: "POST",
      headers: AUTH,
      body: upload("app.py", PYTHON),
    });
    expect(review.status).toBe(200);
    expect(((await review.json()) as { issues: Array<{ line: number }> }).issues).toContainEqual(
      expect.objectContaining({ line: 3, severity: "error" }),
    );
    expect((await fetch(`${base}/api/reviews`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${base}/api/docs`)).status).toBe(200);

    const assessment = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({
        assignment_description: "A calculator",
        github_repo_url: "https://github.com/octo/calc",
        candidate_level: "Junior",
      }),
    });
    expect(assessment.status).toBe(503);
    expect(await assessment.json()).toMatchObject({ error: "needs_app" });
    // The registration page is still there, behind its secret link.
    expect((await fetch(`${base}/`)).status).toBe(403);
    const opened = await fetch(`${base}/?setup=one-time-setup-token-0123`, { redirect: "manual" });
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(await (await fetch(`${base}/probot`, { headers: { cookie } })).text()).toContain(
      "Register the GitHub App",
    );
    // One access line per request, as with an App; the setup link's secret is not in them.
    const access = logs
      .map((l) => JSON.parse(l) as { msg: string; path?: string; status?: number })
      .filter((l) => l.path !== undefined && l.status !== undefined);
    expect(access.map((l) => `${l.path} ${l.status}`)).toEqual(
      expect.arrayContaining([
        "/api/reviews 200",
        "/api/reviews 401",
        "/api/assessments 503",
        "/ 403",
      ]),
    );
    expect(JSON.stringify(access)).not.toContain("one-time-setup-token-0123");
  });
});

describe("an API request that fails inside Critic", () => {
  it("gets a 500 with a short JSON error, and the failure is logged as an error", async () => {
    const { createApiHandler } = await import("../../src/api/api-handler.js");
    const { createApiKeys } = await import("../../src/api/api-keys.js");
    const { createSpendLimiter } = await import("../../src/commands/spend-limiter.js");
    const { createAuthFailures } = await import("../../src/api/auth-failures.js");
    const { logs, stream } = captureLogs();
    const handler = createApiHandler({
      keys: createApiKeys([KEY]),
      limiter: createSpendLimiter({ limit: 100, windowMs: 60_000, now: Date.now }),
      authFailures: createAuthFailures({ limit: 100, now: Date.now, name: "api" }),
      trustedProxies: [],
      assessments: {} as never,
      reviewFile: async () => {
        throw new Error("the analysis pool is gone");
      },
      github: { webUrl: "https://github.com", apiBaseUrl: GITHUB } as never,
      version: "test",
      log: pino({ level: "info" }, stream),
    });
    nock.enableNetConnect("127.0.0.1");
    const server = await serve([handler]);
    cleanups.push(async () => {
      await server.close();
      nock.disableNetConnect();
    });

    const res = await fetch(`${server.base}/api/reviews`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ filename: "app.py", content: PYTHON }),
    });

    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "internal" });
    expect(logs.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ level: 50, msg: "API request failed" }),
    );
  });
});
