import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { runAction } from "../../src/action/run-action.js";
import { fromActionInputs } from "../../src/config/action-inputs.js";
import { readActionEnv } from "../../src/config/env.js";
import { FILE, GITHUB, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { prCommentPayload, pullRequestPayload } from "../helpers/payloads.js";
import {
  captureLogs,
  createTestApp,
  LLM_BASE,
  OPENAI_KEY,
  TestOctokit,
} from "../helpers/test-app.js";

const TOKEN = "ghs_workflow_token_for_tests_0123456789";
const { logs, stream: quiet } = captureLogs();
const ANSWER = () =>
  modelAnswer([
    {
      path: "src/x.ts",
      line: 3,
      severity: "critical",
      category: "security",
      message: "Problem on c.",
    },
  ]);
const ACTIONS_BOT = {
  login: "github-actions[bot]",
  type: "Bot",
  performed_via_github_app: { id: 15368, slug: "github-actions" },
};

/** What the runner gives a JavaScript action: the event in a file, the token, the inputs. */
async function actionEnvironment(name: string, payload: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), "critic-action-"));
  const eventPath = join(dir, "event.json");
  await writeFile(eventPath, JSON.stringify(payload));
  const vars: Record<string, string> = {
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_RUN_ID: "4242",
    GITHUB_REPOSITORY: "Codertocat/Hello-World",
    INPUT_GITHUB_TOKEN: TOKEN,
    INPUT_OPENAI_API_KEY: OPENAI_KEY,
    INPUT_OPENAI_BASE_URL: `${LLM_BASE}/v1`,
    INPUT_OPENAI_MODEL: "gpt-test",
  };
  Object.assign(process.env, vars);
  return async () => {
    for (const key of Object.keys(vars)) delete process.env[key];
    await rm(dir, { recursive: true, force: true });
  };
}

/** An event as Actions writes it: no `installation` (the token is the workflow's). */
function withoutInstallation<T extends Record<string, unknown>>(payload: T): T {
  const copy = structuredClone(payload);
  delete copy.installation;
  return copy;
}

const restore: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of restore.splice(0)) await undo();
});

/** The calls of one review, the same for the App and the Action. */
function reviewCalls(
  gh: ReturnType<typeof githubMock>,
  summaries: Array<Record<string, unknown>> = [],
) {
  return gh
    .listFiles([FILE])
    .context({ comments: summaries })
    .checkRun(7000)
    .createReview()
    .createComment(9001);
}

describe("GitHub Action", () => {
  it("posts the same review, summary and check run as the App for a pull_request event file", async () => {
    // The App, as a reference.
    const app = await createTestApp();
    const viaApp = reviewCalls(githubMock().token());
    openaiMock([{ answer: ANSWER() }]);
    await app.probot.receive({
      id: "d-app",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await app.idle();

    // The Action: the event from a file, every GitHub call with the workflow's token.
    restore.push(
      await actionEnvironment(
        "pull_request",
        withoutInstallation(pullRequestPayload("opened") as Record<string, unknown>),
      ),
    );
    const viaAction = reviewCalls(
      githubMock(nock(GITHUB, { reqheaders: { authorization: `token ${TOKEN}` } })),
    );
    const llm = openaiMock([{ answer: ANSWER() }]);

    expect(await runAction({ Octokit: TestOctokit, logDestination: quiet })).toBe(0);
    expect(logs.join("")).not.toContain(TOKEN);

    expect(viaAction.captured.reviews).toHaveLength(1);
    expect(viaAction.captured.reviews).toEqual(viaApp.captured.reviews);
    expect(viaAction.captured.comments).toEqual(viaApp.captured.comments);
    expect(viaAction.captured.updates).toEqual(viaApp.captured.updates);
    expect(viaAction.captured.summaries[0]).toContain("**6/10**");
    expect(viaAction.captured.checkRuns).toEqual(viaApp.captured.checkRuns);
    expect(viaAction.captured.checkUpdates.map((u) => u.body.conclusion)).toEqual(["success"]);
    expect(llm.requests[0]?.model).toBe("gpt-test");
    expect(JSON.stringify(viaAction.captured)).not.toContain(TOKEN);
  });

  it("finds its own summary as github-actions[bot] and does not review a head it already reviewed", async () => {
    restore.push(
      await actionEnvironment(
        "pull_request",
        withoutInstallation(pullRequestPayload("opened") as Record<string, unknown>),
      ),
    );
    const head = pullRequestPayload("opened").pull_request.head.sha;
    const summary = `<!-- critic:summary -->\n\n## Critic review\n\n<!-- critic:state {"sha":"${head}","version":"0.1.0"} -->`;
    githubMock(nock(GITHUB, { reqheaders: { authorization: `token ${TOKEN}` } }))
      .listFiles([FILE])
      .context({
        comments: [
          // Another bot quoting the marker is not Critic.
          {
            id: 1,
            body: "<!-- critic:summary --> quoted",
            user: { login: "other[bot]", type: "Bot" },
          },
          {
            id: 2,
            body: summary,
            user: ACTIONS_BOT,
            performed_via_github_app: ACTIONS_BOT.performed_via_github_app,
          },
        ],
      });

    await runAction({ Octokit: TestOctokit, logDestination: quiet });
    // Nothing else was called: strict nock fails the test on any other request.
  });

  it("runs /review from an issue_comment event with the same authorization as the App", async () => {
    // This event keeps an installation id: the workflow's token is used all the same.
    restore.push(await actionEnvironment("issue_comment", prCommentPayload("/review")));
    const commentId = (prCommentPayload("/review").comment as { id: number }).id;
    const gh = githubMock(nock(GITHUB, { reqheaders: { authorization: `token ${TOKEN}` } }))
      .permission("maintainer", "write")
      .reaction(commentId, "eyes")
      .getPullFull();
    reviewCalls(gh).reaction(commentId, "rocket");
    openaiMock([{ answer: ANSWER() }]);

    await runAction({ Octokit: TestOctokit, logDestination: quiet });

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.reactions).toEqual([`${commentId}:eyes`, `${commentId}:rocket`]);
  });

  it("does nothing on a pull_request from a fork, whose token is read-only", async () => {
    const payload = withoutInstallation(pullRequestPayload("opened") as Record<string, unknown>);
    (payload.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name =
      "someone/Hello-World";
    restore.push(await actionEnvironment("pull_request", payload));

    await runAction({ Octokit: TestOctokit, logDestination: quiet });
    // No GitHub call and no model call: strict nock fails the test on any request.
  });

  it("maps the Action's inputs to Critic's variables, and keeps the token secret", () => {
    const env = {
      INPUT_OPENAI_API_KEY: " sk-input ",
      OPENAI_API_KEY: "sk-env",
      INPUT_GEMINI_MODEL: "",
      GEMINI_MODEL: "gemini-env",
      INPUT_PROVIDERS: "gemini,static",
      INPUT_CONFIG_PATH: ".github/review.yml",
      REDIS_URL: "redis://localhost:6379",
      APP_ID: "123",
      INPUT_GITHUB_TOKEN: TOKEN,
    };

    expect(fromActionInputs(env)).toEqual({
      ...env,
      OPENAI_API_KEY: "sk-input",
      CRITIC_PROVIDERS: "gemini,static",
      CRITIC_CONFIG_PATH: ".github/review.yml",
      REDIS_URL: undefined,
      APP_ID: undefined,
    });
    const read = readActionEnv(env);
    expect(read).toMatchObject({
      appId: 0,
      redis: undefined,
      providers: ["gemini", "static"],
      configPath: ".github/review.yml",
      openai: { apiKey: "sk-input" },
      gemini: { model: "gemini-env" },
    });
    expect(read.secrets).toContain(TOKEN);
    expect(() => readActionEnv({ INPUT_CONFIG_PATH: "../secrets.yml" })).toThrow(
      /CRITIC_CONFIG_PATH must be a relative path/,
    );
  });

  it("fails the step when the review fails, e.g. a token that may not write", async () => {
    restore.push(
      await actionEnvironment(
        "pull_request",
        withoutInstallation(pullRequestPayload("opened") as Record<string, unknown>),
      ),
    );
    // The check run is refused (only logged), then the review; the summary that reports the
    // failure is looked up (publishing had begun), and its creation refused too.
    const gh = githubMock(nock(GITHUB, { reqheaders: { authorization: `token ${TOKEN}` } }))
      .listFiles([FILE])
      .context()
      .createCheckRun(7000, 403)
      .createReview(403, { message: "Resource not accessible by integration" })
      .listComments();
    gh.scope
      .post("/repos/Codertocat/Hello-World/issues/2/comments")
      .reply(403, { message: "Resource not accessible by integration" });
    openaiMock([{ answer: ANSWER() }]);

    expect(await runAction({ Octokit: TestOctokit, logDestination: quiet })).toBe(1);
  });
});
