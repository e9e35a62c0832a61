import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { readEnv } from "../../src/config/env.js";
import { createCritic } from "../../src/index.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { renderFindings, renderState } from "../../src/render/markers.js";
import { createRedactor } from "../../src/security/redactor.js";
import { startServer } from "../../src/server/start-server.js";
import { botComment, compareMock, githubMock } from "../helpers/github-nock.js";
import { type ChatRequest, modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { prCommentPayload, pullRequestPayload } from "../helpers/payloads.js";
import { repositoryMock } from "../helpers/repository-nock.js";
import { serve } from "../helpers/serve.js";
import {
  APP_ID,
  captureLogs,
  createTestApp,
  LLM_BASE,
  OPENAI_KEY,
  privateKey,
  type TestApp,
  TestOctokit,
} from "../helpers/test-app.js";

// What must never reach a model, whichever road a text takes: a committed AWS key pair, the
// operator's own provider keys (registered values that look like nothing in particular), and a
// token hidden in a file name.
const AWS_ID = "AKIAZ7XQ4M2N8P5R3T6V";
const AWS_SECRET = "k9Fz3Qw7Lm2Xc8Vb4Nn6Tt1Yy5Hh0Jj3Gg7Dd2Ss";
const GEMINI_KEY = "gemini-operator-key-7f3a9c2e1b4d";
const GH_TOKEN = "ghp_R8kL2mN9qP4sT7vW1xY3zA5bC6dE0fG2hJ4k";
const API_KEY = "critic-api-key-for-leak-tests-0123456789";
const NEVER = [AWS_ID, AWS_SECRET, OPENAI_KEY, GEMINI_KEY, GH_TOKEN];

const PYTHON = [
  "import boto3",
  `AWS_ACCESS_KEY_ID = "${AWS_ID}"`,
  `aws_secret_access_key = "${AWS_SECRET}"`,
  `OPENAI = "${OPENAI_KEY}"`,
  'client = boto3.client("s3")',
  "",
].join("\n");
const DOTENV = `OPENAI_API_KEY=${OPENAI_KEY}\nGEMINI_API_KEY=${GEMINI_KEY}\n`;

const added = (text: string) =>
  `@@ -0,0 +1,${text.split("\n").length - 1} @@\n${text
    .split("\n")
    .slice(0, -1)
    .map((l) => `+${l}`)
    .join("\n")}`;
const file = (filename: string, text: string) => ({
  filename,
  status: "added",
  additions: text.split("\n").length - 1,
  deletions: 0,
  changes: text.split("\n").length - 1,
  patch: added(text),
});
const PR_FILES = [
  file("app.py", PYTHON),
  file("deploy/.env.production", DOTENV),
  file(`config/${GH_TOKEN}.py`, "x = 1\n"),
];

const ENV = {
  GEMINI_API_KEY: GEMINI_KEY,
  CRITIC_PROVIDERS: "openai,static",
  CRITIC_API_KEYS: API_KEY,
};

/** Every text of every request the fake model received. */
function sent(requests: readonly ChatRequest[]): string {
  return JSON.stringify(requests);
}

function expectNothingLeaked(requests: readonly ChatRequest[]) {
  expect(requests.length).toBeGreaterThan(0);
  const text = sent(requests);
  for (const secret of NEVER) expect(text).not.toContain(secret);
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<{ app: TestApp; base: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "critic-leaks-"));
  const app = await createTestApp({ ...ENV, CRITIC_DATA_DIR: dataDir });
  const server = await serve(app.handlers);
  cleanups.push(async () => {
    await server.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { app, base: server.base };
}

describe("secrets never reach a model, on every road", () => {
  it("pull request review: keys are flagged in the review and absent from the prompt", async () => {
    const { app } = await start();
    const gh = githubMock().token().firstReview({ files: PR_FILES });
    const llm = openaiMock([{ answer: modelAnswer([]) }]);

    await app.probot.receive({
      id: "leak-pr",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await app.idle();

    expectNothingLeaked(llm.requests);
    expect(sent(llm.requests)).toContain("config/[REDACTED].py");
    const summary = gh.captured.summaries.at(-1) ?? "";
    expect(summary).toContain("Possible secret committed");
    expect(summary).toContain("Possible secret in the file name");
    for (const secret of NEVER.filter((s) => s !== GH_TOKEN)) expect(summary).not.toContain(secret);
  });

  it("incremental review of a push", async () => {
    const { app } = await start();
    const last = "a".repeat(40);
    const next = "b".repeat(40);
    const previous = [
      "<!-- critic:summary -->\n\n## Critic review\n\nold",
      renderFindings([]),
      renderState({ sha: last, version: "0.1.0" }),
    ].join("\n");
    const gh = githubMock()
      .token()
      .context({ comments: [botComment(77, previous)] })
      .updateComment(77)
      .listFiles(PR_FILES)
      .checkRun()
      .createReview();
    compareMock(gh.scope, last, next, { status: "ahead", files: PR_FILES });
    const llm = openaiMock([{ answer: modelAnswer([]) }]);
    const base = pullRequestPayload("synchronize");

    await app.probot.receive({
      id: "leak-push",
      name: "pull_request",
      payload: pullRequestPayload("synchronize", {
        head: { ...base.pull_request.head, sha: next },
      }) as never,
    });
    await app.idle();

    expectNothingLeaked(llm.requests);
    expect(gh.captured.summaries.at(-1)).toContain("Reviewed the changes since `aaaaaaa`");
  });

  it("/ask about a pull request that commits the operator's own keys", async () => {
    const { app } = await start();
    const gh = githubMock()
      .token()
      .permission("maintainer", "write")
      .reaction(1, "eyes")
      .config()
      .getPullFull()
      .listFiles(PR_FILES)
      .createComment(2)
      .reaction(1, "rocket");
    const llm = openaiMock([{ text: "It configures the deployment." }]);
    const payload = prCommentPayload(`/ask what does this config do? ${GEMINI_KEY}`);
    (payload.comment as Record<string, unknown>).id = 1;

    await app.probot.receive({ id: "leak-ask", name: "issue_comment", payload: payload as never });
    await app.idle();

    expectNothingLeaked(llm.requests);
    expect(sent(llm.requests)).toContain("GEMINI_API_KEY=[REDACTED]");
    expect(gh.captured.comments[0]?.body).toContain("It configures the deployment.");
    expect(gh.captured.comments[0]?.body).not.toContain(GEMINI_KEY);
  });

  it("single-file review and its refactoring over the HTTP API", async () => {
    const { base } = await start();
    const llm = openaiMock([
      { answer: modelAnswer([]) },
      { text: JSON.stringify({ refactored_code: "import boto3\n", changes: ["Keys removed."] }) },
    ]);
    const form = new FormData();
    form.set("file", new Blob([PYTHON]), `${GH_TOKEN}.py`);

    const res = await fetch(`${base}/api/reviews?refactor=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}` },
      body: form,
    });

    expect(res.status).toBe(200);
    const body = (await res.json()) as { refactored_code?: string; issues: unknown[] };
    expect(body.refactored_code).toBe("import boto3\n");
    expect(llm.requests).toHaveLength(2);
    expectNothingLeaked(llm.requests);
  });

  it("repository assessment, its synthesis question included", async () => {
    const { base } = await start();
    const files: Record<string, string> = {
      "app.py": PYTHON,
      [`config/${GH_TOKEN}.py`]: "x = 1\n",
    };
    repositoryMock({ installed: false, files });
    const llm = openaiMock([
      { answer: modelAnswer([]) },
      { text: JSON.stringify({ rating: 3, rating_rationale: "Keys.", conclusion: "No." }) },
    ]);
    const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };

    const res = await fetch(`${base}/api/assessments`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        assignment_description: `Write an S3 uploader. Use the key ${OPENAI_KEY}.`,
        github_repo_url: "https://github.com/cand/calc",
        candidate_level: "junior",
      }),
    });
    const { id } = (await res.json()) as { id: string };
    let status = "";
    for (let i = 0; i < 200 && status !== "done" && status !== "failed"; i++) {
      const poll = await fetch(`${base}/api/assessments/${id}`, { headers });
      status = ((await poll.json()) as { status: string }).status;
      if (status !== "done") await new Promise((r) => setTimeout(r, 20));
    }

    expect(status).toBe("done");
    expect(llm.requests).toHaveLength(2);
    expectNothingLeaked(llm.requests);
  });
});

describe("logs carry no credentials", () => {
  it("an API key appears in no log line at trace level, the access log included", async () => {
    const env = readEnv({
      APP_ID: String(APP_ID),
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${LLM_BASE}/v1`,
      OPENAI_MODEL: "gpt-test",
      ...ENV,
      CRITIC_PROVIDERS: "static",
    });
    const secrets = createRedactor(env.secrets);
    const { logs, stream } = captureLogs();
    const log = await createLogger(
      { level: "trace", format: "json", destination: stream },
      secrets,
    );
    const probot = new Probot({ appId: APP_ID, privateKey, Octokit: TestOctokit, log });
    const critic = createCritic(env, { probot, secrets });
    const server = await startServer({
      probot,
      app: critic.app,
      host: "127.0.0.1",
      port: 0,
      log,
      secret: "development",
    });
    const port = server.port;
    nock.enableNetConnect("127.0.0.1");
    cleanups.push(async () => {
      await server.stop();
      await critic.close();
      nock.disableNetConnect();
    });
    const form = new FormData();
    form.set("file", new Blob([PYTHON]), "app.py");

    const ok = await fetch(`http://127.0.0.1:${port}/api/reviews`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, cookie: "session=abcdef0123456789" },
      body: form,
    });
    const refused = await fetch(`http://127.0.0.1:${port}/api/reviews`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_KEY}-wrong-guess`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ filename: "a.py", content: PYTHON }),
    });
    await new Promise((r) => setTimeout(r, 50));

    expect(ok.status).toBe(200);
    expect(refused.status).toBe(401);
    const text = logs.join("");
    expect(text).toContain("POST /api/reviews 200");
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain("abcdef0123456789");
    for (const secret of NEVER) expect(text).not.toContain(secret);
  });
});
