import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type {
  DashboardView,
  ReviewsView,
  SessionView,
  SubmissionView,
} from "../../src/console/console-api-types.js";
import { createApiWithoutApp } from "../../src/index.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { createFakeClock } from "../helpers/fake-clock.js";
import { GITHUB } from "../helpers/github-nock.js";
import { serve } from "../helpers/serve.js";
import { createTestApp, testEnv } from "../helpers/test-app.js";

const NOW = Date.UTC(2026, 10, 24, 12);
const CLIENT = {
  GITHUB_CLIENT_ID: "Iv1.console0123",
  GITHUB_CLIENT_SECRET: "console-secret-0123456789",
};
const PYTHON = "import os\n\nvalue = eval(input())\nprint(value)\n";
const AWS_KEY_LINE = 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9hPq3aLm"';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  nock.cleanAll();
});

/** Critic with an App, GitHub sign-in, a history on disk and no model (static checks only). */
async function start(env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "critic-console-"));
  const store = await openStore(
    { databaseUrl: undefined, dataDir: dir, retentionDays: 90 },
    {
      log: pino({ level: "silent" }),
      redactor: createRedactor(),
      clock: createFakeClock(NOW).clock,
    },
  );
  const app = await createTestApp(
    {
      ...CLIENT,
      CRITIC_CONSOLE_OPERATORS: "Ops-Lead",
      OPENAI_API_KEY: "",
      CRITIC_DATA_DIR: dir,
      ...env,
    },
    { store },
  );
  app.clock.advance(NOW - app.clock.clock.now());
  const server = await serve(app.handlers);
  cleanups.push(async () => {
    await server.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { app, base: server.base, store };
}

/** GitHub's side of one sign-in: the code's token, who it is, and what it can see. */
function gitHubKnows(login: string, repositories: string[], installations = [42]) {
  const token = `ghu_${login}_0123456789`;
  const web = nock("https://github.com")
    .post(
      "/login/oauth/access_token",
      (body: Record<string, string>) =>
        body.code === `code-${login}` &&
        body.client_id === CLIENT.GITHUB_CLIENT_ID &&
        body.client_secret === CLIENT.GITHUB_CLIENT_SECRET,
    )
    .reply(200, { access_token: token, token_type: "bearer", scope: "" });
  const api = nock(GITHUB, { reqheaders: { authorization: `Bearer ${token}` } })
    .get("/user")
    .reply(200, { login, id: idOf(login) })
    .get("/user/installations")
    .query({ per_page: "50" })
    .reply(200, {
      total_count: installations.length,
      installations: installations.map((id) => ({ id })),
    });
  for (const id of installations)
    api
      .get(`/user/installations/${id}/repositories`)
      .query({ per_page: "100", page: "1" })
      .reply(200, {
        total_count: repositories.length,
        repositories: repositories.map((full_name) => ({ full_name })),
      });
  return {
    done: () => {
      web.done();
      api.done();
    },
  };
}

/** A GitHub user id per login, as GitHub would give (distinct logins, distinct ids). */
function idOf(login: string): number {
  return [...login].reduce((id, c) => id * 31 + c.charCodeAt(0), 7) % 1_000_000_007;
}

type Signed = { cookie: string; csrf: string; session: SessionView };

/** Signs in through GitHub as a browser would: start, GitHub's redirect back, the session. */
async function signIn(
  base: string,
  login: string,
  repositories: string[],
  installations?: number[],
) {
  const github = gitHubKnows(login, repositories, installations);
  const begin = await fetch(`${base}/console/auth/github`, { redirect: "manual" });
  expect(begin.status).toBe(302);
  const authorize = new URL(begin.headers.get("location") ?? "");
  expect(`${authorize.origin}${authorize.pathname}`).toBe(
    "https://github.com/login/oauth/authorize",
  );
  expect(authorize.searchParams.get("client_id")).toBe(CLIENT.GITHUB_CLIENT_ID);
  const state = authorize.searchParams.get("state") ?? "";
  const stateCookie = begin.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  expect(begin.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Lax/);

  const back = await fetch(`${base}/console/auth/callback?code=code-${login}&state=${state}`, {
    headers: { cookie: stateCookie },
    redirect: "manual",
  });
  expect(back.status).toBe(302);
  expect(back.headers.get("location")).toBe("/console");
  const cookie = back.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  expect(cookie).toMatch(/^critic_session=[\w-]{43}$/);
  github.done();
  const session = (await (
    await fetch(`${base}/console/api/session`, { headers: { cookie } })
  ).json()) as SessionView;
  return { cookie, csrf: session.csrf, session } satisfies Signed;
}

function post(
  base: string,
  path: string,
  who: Signed,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      cookie: who.cookie,
      "x-csrf-token": who.csrf,
      "content-type": "application/json",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

async function getJson<T>(
  base: string,
  path: string,
  who: Signed,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { headers: { cookie: who.cookie } });
  return { status: res.status, body: (await res.json()) as T };
}

async function record(
  store: Store,
  repository: string,
  pull: number,
  costUsd: number,
  rating: number,
) {
  const [owner = "", repo = ""] = repository.split("/");
  await store.history.record({
    deliveryId: `d-${repository}-${pull}`,
    installationId: 42,
    owner,
    repo,
    pullNumber: pull,
    headSha: "a".repeat(40),
    trigger: "opened",
    outcome: "reviewed",
    durationMs: 900,
    provider: "openai",
    models: ["gpt-test"],
    inputTokens: 1200,
    outputTokens: 300,
    costUsd,
    rating,
    findings: [],
  });
}

describe("the console's sign-in", () => {
  it("offers GitHub sign-in and serves nothing else without a session", async () => {
    const { base } = await start();
    const page = await fetch(`${base}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).toContain('href="/console/auth/github"');
    expect(html).not.toContain("API key");

    for (const path of ["/console/api/session", "/console/api/reviews", "/console/api/dashboard"]) {
      const res = await fetch(`${base}${path}`, { headers: { cookie: "critic_session=forged" } });
      expect(res.status, path).toBe(401);
    }
  });

  it("refuses a callback whose state is not the one this browser was given", async () => {
    const { base } = await start();
    const begin = await fetch(`${base}/console/auth/github`, { redirect: "manual" });
    const stateCookie = begin.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const back = await fetch(
      `${base}/console/auth/callback?code=code-mallory&state=another-state`,
      {
        headers: { cookie: stateCookie },
        redirect: "manual",
      },
    );
    expect(back.status).toBe(400);
    expect(await back.text()).toContain("Sign in again");
    expect(back.headers.getSetCookie().some((c) => c.startsWith("critic_session="))).toBe(false);
  });

  it("says why when GitHub does not take the code, and signs nobody in", async () => {
    const { base } = await start();
    nock("https://github.com")
      .post("/login/oauth/access_token")
      .reply(200, { error: "bad_verification_code" });
    const begin = await fetch(`${base}/console/auth/github`, { redirect: "manual" });
    const state = new URL(begin.headers.get("location") ?? "").searchParams.get("state");
    const back = await fetch(`${base}/console/auth/callback?code=stale&state=${state}`, {
      headers: { cookie: begin.headers.getSetCookie()[0]?.split(";")[0] ?? "" },
      redirect: "manual",
    });
    expect(back.status).toBe(502);
    expect(await back.text()).toContain("GitHub did not accept the sign-in");
  });

  it("keeps five sessions per person: a sixth sign-in ends their oldest, not anyone else's", async () => {
    const { base } = await start();
    const other = await signIn(base, "hubot", ["acme/api"]);
    const mine: Signed[] = [];
    for (let i = 0; i < 6; i++) mine.push(await signIn(base, "octocat", ["acme/api"]));
    const status = async (who: Signed) =>
      (await fetch(`${base}/console/api/session`, { headers: { cookie: who.cookie } })).status;
    expect(await status(mine[0] as Signed)).toBe(401);
    expect(await status(mine[5] as Signed)).toBe(200);
    expect(await status(other)).toBe(200);
  });

  it("says the sign-in was cancelled when the person said no on GitHub", async () => {
    const { base } = await start();
    const back = await fetch(`${base}/console/auth/callback?error=access_denied&state=x`, {
      redirect: "manual",
    });
    expect(back.status).toBe(400);
    expect(await back.text()).toContain("The sign-in was cancelled on GitHub.");
  });

  it("ends the session on sign-out", async () => {
    const { base } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const out = await post(base, "/console/api/signout", octocat, {});
    expect(out.status).toBe(204);
    expect(
      (await fetch(`${base}/console/api/session`, { headers: { cookie: octocat.cookie } })).status,
    ).toBe(401);
  });
});

describe("what a person sees", () => {
  it("shows only the reviews of repositories the account can see; operators see all and the dashboard", async () => {
    const { base, store } = await start();
    await record(store, "acme/api", 1, 0.012, 8);
    await record(store, "acme/payroll", 2, 0.03, 6);

    const octocat = await signIn(base, "octocat", ["acme/api"]);
    expect(octocat.session).toMatchObject({ login: "octocat", operator: false, canSubmit: true });
    expect(octocat.session.repositories).toEqual(["acme/api"]);
    const mine = await getJson<ReviewsView>(base, "/console/api/reviews", octocat);
    expect(mine.body.reviews.map((r) => r.repository)).toEqual(["acme/api"]);
    expect((await getJson(base, "/console/api/dashboard", octocat)).status).toBe(403);

    const lead = await signIn(base, "ops-lead", []);
    expect(lead.session.operator).toBe(true);
    const all = await getJson<ReviewsView>(base, "/console/api/reviews", lead);
    expect(all.body.reviews.map((r) => r.repository).sort()).toEqual(["acme/api", "acme/payroll"]);
    const dashboard = await getJson<DashboardView>(base, "/console/api/dashboard", lead);
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.history).toBe(true);
    expect(dashboard.body.recent).toHaveLength(2);
    const today = dashboard.body.spend_by_day.at(-1);
    expect(today).toMatchObject({ day: "2026-11-24", reviews: 2, tokens: 3000 });
    expect(today?.cost_usd).toBeCloseTo(0.042, 6);
    expect(dashboard.body.spend_by_repository[0]).toMatchObject({
      repository: "acme/payroll",
      reviews: 1,
    });
    expect(dashboard.body.ratings_by_day.at(-1)).toMatchObject({ average: 7, reviews: 2 });
    expect(dashboard.body.providers.map((p) => p.state)).not.toContain(undefined);
    expect(dashboard.body.queues.reviews).toEqual({ pending: 0, running: 0 });
  });

  it("lets an account that sees no installation look, but not submit", async () => {
    const { base } = await start();
    const stranger = await signIn(base, "stranger", [], []);
    expect(stranger.session.canSubmit).toBe(false);
    expect(stranger.session.reason).toMatch(/cannot see any installation/);
    const res = await post(base, "/console/api/reviews", stranger, {
      filename: "a.py",
      content: PYTHON,
    });
    expect(res.status).toBe(403);
  });
});

describe("submissions", () => {
  it("reviews a pasted file in the background, puts the eval finding on its line, and keeps it for its owner only", async () => {
    const { app, base } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const sent = await post(base, "/console/api/reviews", octocat, {
      filename: "app.py",
      content: PYTHON,
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await app.idle();

    const done = await getJson<SubmissionView>(base, `/console/api/submissions/${id}`, octocat);
    expect(done.body.status).toBe("done");
    expect(done.body.file).toEqual({ filename: "app.py", language: "python", content: PYTHON });
    expect(done.body.result?.findings).toContainEqual(
      expect.objectContaining({ line: 3, severity: "critical", category: "security" }),
    );
    expect(done.body.rating).toBeLessThan(10);

    const listed = await getJson<{ submissions: { id: string; status: string }[] }>(
      base,
      "/console/api/submissions",
      octocat,
    );
    expect(listed.body.submissions).toEqual([expect.objectContaining({ id, status: "done" })]);

    const markdown = await fetch(`${base}/console/api/submissions/${id}/download?format=md`, {
      headers: { cookie: octocat.cookie },
    });
    expect(markdown.headers.get("content-disposition")).toBe(
      'attachment; filename="critic-app.py.md"',
    );
    expect(await markdown.text()).toMatch(/\*\*critical\*\* \(security\) line 3: .*eval/);

    const other = await signIn(base, "hubot", ["acme/api"]);
    expect((await getJson(base, `/console/api/submissions/${id}`, other)).status).toBe(404);
    expect(
      (await getJson<{ submissions: unknown[] }>(base, "/console/api/submissions", other)).body
        .submissions,
    ).toEqual([]);
  });

  it("flags a secret in a pasted file and keeps the file without that line", async () => {
    const { app, base, store } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const content = `import boto3\n${AWS_KEY_LINE}\nclient = boto3.client("s3")\n`;
    const sent = await post(base, "/console/api/reviews", octocat, { filename: "s3.py", content });
    const { id } = (await sent.json()) as { id: string };
    await app.idle();

    const done = await getJson<SubmissionView>(base, `/console/api/submissions/${id}`, octocat);
    expect(done.body.result?.findings).toContainEqual(
      expect.objectContaining({ line: 2, severity: "critical", category: "security" }),
    );
    expect(done.body.file?.content.split("\n")[1]).toBe("[line removed: a secret was found here]");
    const kept = await store.db.selectFrom("submissions").select("record").execute();
    expect(JSON.stringify(kept)).not.toContain("wJalrXUtnFEMI");
  });

  it("keeps no line of a private key, nor a key in the file's name", async () => {
    const { app, base, store } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const pem = [
      "-----BEGIN RSA PRIVATE KEY-----",
      "MIIEowIBAAKCAQEA1c4Xk9mQbqV2ZPZ2jHnq7pXW0yQ0h2Yb1fG8s3cJ6T7m9R2dLqP4",
      "wX5vN8kZ3Q6rT1yU7iO9pA2sD4fG6hJ8kL0zX2cV4bN6mQ8wE0rT2yU4iO6pA8sD0fG2",
      "-----END RSA PRIVATE KEY-----",
    ];
    const content = `KEY = """\r\n${pem.join("\r\n")}\r\n"""\r\nprint(KEY)\r\n`;
    const filename = "ghp_0123456789abcdefghijklmnopqrstuvwxyz.py";
    const sent = await post(base, "/console/api/reviews", octocat, { filename, content });
    const { id } = (await sent.json()) as { id: string };
    await app.idle();

    const done = await getJson<SubmissionView>(base, `/console/api/submissions/${id}`, octocat);
    expect(done.body.status).toBe("done");
    expect(done.body.file?.content.split("\n")).toEqual([
      'KEY = """',
      ...pem.map(() => "[line removed: a secret was found here]"),
      '"""',
      "print(KEY)",
      "",
    ]);
    const kept = JSON.stringify(await store.db.selectFrom("submissions").selectAll().execute());
    expect(kept).not.toContain("MIIEow");
    expect(kept).not.toContain("wX5vN8kZ3Q6rT1yU7iO9");
    expect(kept).not.toContain("ghp_0123456789abcdefghijklmnopqrstuvwxyz");
  });

  it("keeps at most 500 findings of a file that has thousands, and says how many more", async () => {
    const { app, base } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const content = Array.from({ length: 800 }, (_, i) => `v${i} = eval(input())`).join("\n");
    const sent = await post(base, "/console/api/reviews", octocat, {
      filename: "many.py",
      content,
    });
    const { id } = (await sent.json()) as { id: string };
    await app.idle();
    const done = await getJson<SubmissionView>(base, `/console/api/submissions/${id}`, octocat);
    expect(done.body.result?.findings).toHaveLength(500);
    expect(done.body.result?.notes.join(" ")).toMatch(/\d+ more findings are not shown/);
  });

  it("counts a submission against the person's rate before reading its body", async () => {
    const { base } = await start({ CRITIC_API_REQUESTS_PER_MINUTE: "2" });
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const bad = { filename: "a.unknown-language", content: "x" };
    expect((await post(base, "/console/api/reviews", octocat, bad)).status).toBe(400);
    expect((await post(base, "/console/api/reviews", octocat, bad)).status).toBe(400);
    const third = await post(base, "/console/api/reviews", octocat, bad);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("refuses a POST without this session's CSRF token, or from another site", async () => {
    const { base } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const body = { filename: "app.py", content: PYTHON };
    const noToken = await post(base, "/console/api/reviews", { ...octocat, csrf: "" }, body);
    expect(noToken.status).toBe(403);
    const otherSite = await post(base, "/console/api/reviews", octocat, body, {
      origin: "https://evil.example",
    });
    expect(otherSite.status).toBe(403);
    expect(((await otherSite.json()) as { error: string }).error).toBe("csrf");
  });

  it("starts an assignment only on a repository the account can see", async () => {
    const { base } = await start();
    const octocat = await signIn(base, "octocat", ["acme/api"]);
    const res = await post(base, "/console/api/assignments", octocat, {
      github_repo_url: "https://github.com/acme/payroll",
      assignment_description: "Build a payroll service.",
      candidate_level: "Middle",
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain(
      "cannot see acme/payroll",
    );
  });
});

describe("the console without a GitHub App", () => {
  async function startWithoutApp(keys: string) {
    const dir = await mkdtemp(join(tmpdir(), "critic-console-noapp-"));
    const assets = join(dir, "assets");
    await rm(assets, { recursive: true, force: true });
    const { mkdir } = await import("node:fs/promises");
    await mkdir(assets);
    await writeFile(join(assets, "console.js"), "export {};\n");
    const env = testEnv({
      APP_ID: "",
      CRITIC_API_KEYS: keys,
      CRITIC_DATA_DIR: dir,
      OPENAI_API_KEY: "",
    });
    const services = createApiWithoutApp(env, {
      log: pino({ level: "silent" }),
      consoleAssets: assets,
    });
    const server = await serve(services.handlers);
    cleanups.push(async () => {
      await server.close();
      await services.close();
      await rm(dir, { recursive: true, force: true });
    });
    return server.base;
  }

  it("signs an operator in with an API key, and says why on the page", async () => {
    const base = await startWithoutApp("operator-key-0123456789abcdef");
    const page = await fetch(`${base}/console`);
    const html = await page.text();
    expect(html).toContain("No GitHub App is registered on this server");
    expect(html).not.toContain("/console/auth/github");
    const formCookie = page.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const formToken = /name="form_token" value="([\w-]+)"/.exec(html)?.[1] ?? "";

    const wrong = await fetch(`${base}/console/auth/key`, {
      method: "POST",
      headers: { cookie: formCookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ form_token: formToken, key: "guess" }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not one of this server&#39;s API keys");

    const forged = await fetch(`${base}/console/auth/key`, {
      method: "POST",
      headers: { cookie: formCookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        form_token: "not-the-form",
        key: "operator-key-0123456789abcdef",
      }),
      redirect: "manual",
    });
    expect(forged.status).toBe(403);

    const right = await fetch(`${base}/console/auth/key`, {
      method: "POST",
      headers: { cookie: formCookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ form_token: formToken, key: "operator-key-0123456789abcdef" }),
      redirect: "manual",
    });
    expect(right.status).toBe(303);
    const cookie = right.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const session = (await (
      await fetch(`${base}/console/api/session`, { headers: { cookie } })
    ).json()) as SessionView;
    expect(session).toMatchObject({
      kind: "operator",
      operator: true,
      canSubmit: true,
      assignments: false,
    });

    const shell = await fetch(`${base}/console`, { headers: { cookie } });
    expect(await shell.text()).toContain('src="/console/assets/console.js"');
    const script = await fetch(`${base}/console/assets/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(script.headers.get("content-encoding")).toBe("gzip");
    expect(await script.text()).toBe("export {};\n");
    const again = await fetch(`${base}/console/assets/console.js`, {
      headers: { "if-none-match": script.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${base}/console/assets/other.js`)).status).toBe(404);
  });

  it("throttles guessed keys per address", async () => {
    const base = await startWithoutApp("operator-key-0123456789abcdef");
    const page = await fetch(`${base}/console`);
    const html = await page.text();
    const formCookie = page.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    const formToken = /name="form_token" value="([\w-]+)"/.exec(html)?.[1] ?? "";
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${base}/console/auth/key`, {
        method: "POST",
        headers: { cookie: formCookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ form_token: formToken, key: `guess-${i}` }),
        redirect: "manual",
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("says what to set when no sign-in is possible", async () => {
    const base = await startWithoutApp("");
    const html = await (await fetch(`${base}/console`)).text();
    expect(html).toContain("Sign-in is not set up on this server");
  });
});
