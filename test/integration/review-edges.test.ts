import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { publishReview } from "../../src/review/publish-review.js";
import { createRedactor } from "../../src/security/redactor.js";
import {
  botComment,
  FILE,
  GITHUB,
  githubMock,
  HEAD_SHA,
  OWNER,
  PR,
  REPO,
} from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

async function receive(app: TestApp, action = "opened", overrides: Record<string, unknown> = {}) {
  await app.probot.receive({
    id: `delivery-${action}-${Math.random()}`,
    name: "pull_request",
    payload: pullRequestPayload(action, overrides) as never,
  });
  await app.queue.onIdle();
}

const EARLIER_SHA = "a".repeat(40);

/** Critic's summary of an earlier review of `sha`. */
const earlierSummary = (sha: string) =>
  botComment(
    1,
    `<!-- critic:summary -->\n\n## Critic review\n\nold\n\n<!-- critic:state {"sha":"${sha}","version":"0.1.0"} -->`,
  );

const oneFinding = () => modelAnswer([{ path: "src/x.ts", line: 3, message: "Problem on c." }]);

describe("pull_request edge cases", () => {
  it("retries once without inline comments when GitHub answers 422, and lists them in the summary", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(422, {
        message: "Unprocessable Entity",
        errors: ["Pull request review thread line must be part of the diff"],
      })
      .createReview(200)
      .createComment(1);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(2);
    expect((gh.captured.reviews[1] as { comments: unknown[] }).comments).toEqual([]);
    expect(gh.captured.reviews[1]?.body).toContain("could not place its 1 inline comment");
    // A first review: the summary is created once, at the end.
    const summary = gh.captured.summaries[0] ?? "";
    expect(summary).toContain("GitHub did not accept the inline comments");
    expect(summary).toContain("- `src/x.ts:3` (bug) Problem on c. _(not posted inline)_");
  });

  it("does not post a second review when a 5xx POST had in fact landed", async () => {
    const app = await createTestApp();
    const head = pullRequestPayload("opened").pull_request.head.sha;
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(502, { message: "Bad Gateway" })
      .listReviews([
        {
          id: 7,
          user: { login: "critic[bot]", type: "Bot" },
          body: `Critic left 1 inline comment.\n\n<!-- critic:review sha=${head} -->`,
        },
      ])
      .createComment(1);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain("_(inline)_");
  });

  it("posts again after a 5xx when no review of this head exists", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(500, { message: "Server Error" })
      .listReviews([])
      .createReview(200)
      .createComment(1);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(2);
    expect(gh.captured.reviews[1]).toEqual(gh.captured.reviews[0]);
  });

  it("keeps trying the review after two 5xx answers in a row, looking for it before each try", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(502, { message: "Bad Gateway" })
      .listReviews([])
      .createReview(502, { message: "Bad Gateway" })
      .listReviews([])
      .createReview(200)
      .createComment(1);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(3);
    expect(gh.captured.summaries[0]).toContain("_(inline)_");
  });

  it("keeps one summary when creating it failed with a 5xx but the comment had landed", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(200)
      .createComment(1, 502);
    // GitHub stored the comment before answering 502: Critic finds it instead of posting again,
    // and leaves it as it is (it holds the text Critic meant to write).
    gh.scope
      .get(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`)
      .query({ per_page: 100 })
      .reply(() => [200, [botComment(41, gh.captured.comments[0]?.body ?? "")]]);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.comments).toHaveLength(1);
    expect(gh.captured.updates).toEqual([]);
    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.summaries).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain("Problem on c.");
    // The check run is completed with the summary that landed.
    expect(gh.captured.checkUpdates[0]?.body).toMatchObject({ status: "completed" });
  });

  it("creates the summary again after a 5xx when it had not landed", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(200)
      .createComment(1, 502)
      .listComments()
      .createComment(2);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    // The one POST that failed, then the same summary posted again (and nothing edited).
    expect(gh.captured.comments).toHaveLength(2);
    expect(gh.captured.comments[1]?.body).toBe(gh.captured.comments[0]?.body);
    expect(gh.captured.comments[1]?.body).toContain("Problem on c.");
    expect(gh.captured.updates).toEqual([]);
  });

  it("creates the summary on the third attempt after two 5xx in a row, waiting before the third", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(200)
      .createComment(1, 502)
      .listComments()
      .createComment(2, 502)
      .listComments()
      .createComment(3);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.comments).toHaveLength(3);
    expect(gh.captured.comments[2]?.body).toContain("Problem on c.");
    expect(gh.captured.comments[2]?.body).toBe(gh.captured.comments[0]?.body);
    expect(app.clock.sleeps).toContain(2_000);
    // The review is reported done, not failed.
    expect(gh.captured.checkUpdates[0]?.body).toMatchObject({ status: "completed" });
    expect(JSON.stringify(gh.captured.checkUpdates[0]?.body)).not.toMatch(/could not|failed/i);
  });

  it("keeps one summary when every creation failed with a 5xx but the last had landed", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun()
      .createReview(200)
      .createComment(1, 502)
      .listComments()
      .createComment(2, 502)
      .listComments()
      .createComment(3, 502);
    // The third creation was stored before GitHub answered 502: the failed review finds it and
    // says there that the review failed, instead of creating a second summary.
    gh.scope
      .get(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`)
      .query({ per_page: 100 })
      .reply(() => [200, [botComment(43, gh.captured.comments[2]?.body ?? "")]]);
    gh.updateComment(43);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(gh.captured.comments).toHaveLength(3);
    expect(gh.captured.updates).toHaveLength(1);
    expect(gh.captured.updates[0]?.body).toMatch(/could not recover/);
  });

  it("sends no review once a newer push has superseded the head it waits to post", async () => {
    const app = await createTestApp();
    githubMock().token();
    const gh = await app.probot.auth(1);
    const superseded = new AbortController();
    superseded.abort(new Error("superseded by a newer push"));
    const finding = {
      path: "src/x.ts",
      line: 3,
      severity: "warning" as const,
      category: "bug" as const,
      message: "Problem on c.",
      source: "model",
    };

    // No review POST is mocked: one sent would fail the test as an unexpected request.
    await expect(
      publishReview(
        {
          gh: gh as never,
          log: app.probot.log,
          redactor: createRedactor([]),
          clock: app.clock.clock,
        },
        {
          ref: { owner: OWNER, repo: REPO, pullNumber: PR },
          headSha: "a".repeat(40),
          inline: [finding],
          signal: superseded.signal,
        },
      ),
    ).rejects.toThrow("superseded");
  });

  it("skips drafts without writing anything, unless review_drafts is set", async () => {
    const skipped = await createTestApp();
    // Only the two reads: no check run, no summary.
    githubMock().token().listFiles([FILE]).context();

    await receive(skipped, "opened", { draft: true });

    expect(skipped.logs.join("")).toContain("draft pull request skipped");

    const reviewed = await createTestApp();
    const gh = githubMock().token().firstReview({ config: "review_drafts: true\n", comment: 1 });
    openaiMock([{ answer: oneFinding() }]);

    await receive(reviewed, "opened", { draft: true });

    expect(gh.captured.reviews).toHaveLength(1);
  });

  it("ignores closed pull requests and malformed payloads without calling GitHub", async () => {
    const app = await createTestApp();

    await receive(app, "reopened", { state: "closed" });
    const broken = pullRequestPayload("opened") as Record<string, unknown>;
    delete broken.installation;
    await app.probot.receive({ id: "delivery-2", name: "pull_request", payload: broken as never });
    await app.queue.onIdle();

    expect(app.logs.join("")).toContain("malformed pull_request payload ignored");
  });

  it("stops when the repository turned Critic off", async () => {
    const app = await createTestApp();
    // Only the two reads: no check run, no summary.
    githubMock().token().listFiles([FILE]).context({ config: "enabled: false\n" });

    await receive(app);

    expect(app.logs.join("")).toContain("reviews disabled by configuration");
  });

  it("reviews with the defaults and says which key was wrong when the config is invalid", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .firstReview({ config: "max_comments: many\nlevel: guru\n", comment: 1 });
    const llm = openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    const summary = gh.captured.summaries[0] ?? "";
    expect(summary).toContain(
      "Invalid configuration, using the defaults: .github/critic.yml: `max_comments`",
    );
    expect(summary).toContain(".github/critic.yml: `level`");
    expect(llm.requests[0]?.messages[0]?.content).toContain("Write for an experienced developer");
  });

  it("applies the org's .github config, and reports an unreadable YAML file instead of failing", async () => {
    const fromOrg = await createTestApp();
    // max_comments 0: no review is posted, only the summary.
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context({ orgConfig: "max_comments: 0\nlanguage: German\n" })
      .checkRun(7000)
      .createComment(1);
    const llm = openaiMock([{ answer: oneFinding() }]);

    await receive(fromOrg);

    expect(gh.captured.reviews).toEqual([]);
    expect(gh.captured.summaries[0]).toContain("_(not posted inline: comment limit)_");
    expect(llm.requests[0]?.messages[0]?.content).toContain("in German");

    const badYaml = await createTestApp();
    const gh2 = githubMock().token().firstReview({ config: "key: [unclosed\n", comment: 1 });
    openaiMock([{ answer: oneFinding() }]);

    await receive(badYaml);

    expect(gh2.captured.summaries[0]).toContain(".github/critic.yml: could not be read");
  });

  it.each([
    [
      "500s (first try and both retries)",
      [{ status: 500 }, { status: 500 }, { status: 500 }],
      "OpenAI: server error",
      [500, 1000],
    ],
    ["a 401 (never retried)", [{ status: 401 }], "OpenAI: rejected the API key", []],
    [
      "prose twice (the answer and one repair)",
      [{ text: "Sorry, I can't help." }, { text: "Still no." }],
      "OpenAI: answered with unusable output",
      [],
    ],
    [
      "a truncated answer",
      [{ text: '{"summary": "cut', finish: "length" }],
      "OpenAI: answer was cut off",
      [],
    ],
  ] as const)(
    "falls back to static checks when OpenAI answers %s, and says so",
    async (_label, replies, note, sleeps) => {
      const app = await createTestApp();
      const gh = githubMock().token().firstReview({ comment: 1, review: false });
      const llm = openaiMock([...replies]);

      await receive(app);

      expect(llm.requests).toHaveLength(replies.length);
      expect(app.clock.sleeps).toEqual(sleeps);
      const summary = gh.captured.summaries[0] ?? "";
      expect(summary).toContain(`AI review unavailable (${note}) — static checks only.`);
      expect(summary).toContain("by static checks only");
      expect(summary).toContain("**10/10** — Computed from the static findings");
    },
  );

  it("asks no model when every file is skipped", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([
        {
          filename: "yarn.lock",
          status: "modified",
          additions: 1,
          deletions: 1,
          changes: 2,
          patch: "@@ -1 +1 @@\n-a\n+b",
        },
      ])
      .context()
      .checkRun()
      .createComment(1);

    await receive(app);

    expect(gh.captured.summaries[0]).toContain("Not rated: there was nothing to review.");
  });

  it("defers the review until GitHub's rate limit resets instead of failing it", async () => {
    const app = await createTestApp();
    // Half an hour ahead by the apps' fake clocks (which start at the same time), so the deferred
    // reviews wait for it: a reset read against another clock would run them at once.
    const reset = Math.floor(app.clock.clock.now() / 1000) + 1800;
    const rateLimited = [
      403,
      { message: "API rate limit exceeded" },
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
    ] as const;
    // The limit is hit at the compare of a PR reviewed before, after its summary was read and its
    // check run opened: the summary says when the review goes on; the run stays in progress.
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context({ comments: [earlierSummary(EARLIER_SHA)] })
      .createCheckRun(7000)
      .updateComment(1);
    gh.scope
      .get(`/repos/Codertocat/Hello-World/compare/${EARLIER_SHA}...${HEAD_SHA}`)
      .query(true)
      .reply(...rateLimited);

    await receive(app);

    expect(gh.captured.summaries).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain(`the review will continue then`);
    expect(gh.captured.summaries[0]).toContain(new Date(reset * 1000).toISOString().slice(11, 16));
    // The last reviewed head is kept, for the deferred review to compare against.
    expect(gh.captured.summaries[0]).toContain(`"sha":"${EARLIER_SHA}"`);
    expect(gh.captured.checkRuns).toMatchObject([{ status: "in_progress" }]);
    expect(gh.captured.checkUpdates).toEqual([]);
    expect(app.logs.join("")).toContain("GitHub rate limit used up; review deferred");
    expect(app.logs.join("")).not.toContain("review failed");

    // Hit at the first call, before anything was read: nothing is looked up or written while
    // the limit is used up.
    const early = await createTestApp();
    const gh1 = githubMock().token();
    gh1.scope
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query({ per_page: 100 })
      .reply(...rateLimited);

    await receive(early);

    expect(early.logs.join("")).toContain("GitHub rate limit used up; review deferred");

    // A first review hit by the limit after its check run opened: the check run stays in
    // progress (the deferred review completes it) and no summary is written.
    const first = await createTestApp();
    const gh2 = githubMock().token().listFiles([FILE]).context().createCheckRun(7000);
    gh2.scope.post(`/repos/${OWNER}/${REPO}/pulls/${PR}/reviews`).reply(...rateLimited);
    openaiMock([{ answer: oneFinding() }]);

    await receive(first);

    expect(gh2.captured.checkRuns).toMatchObject([{ status: "in_progress" }]);
    expect(gh2.captured.checkUpdates).toEqual([]);
    expect(gh2.captured.summaries).toEqual([]);
    expect(first.logs.join("")).toContain("GitHub rate limit used up; review deferred");
    expect(first.logs.join("")).not.toContain("review failed");
  });

  it("reports a GitHub failure in the summary and keeps serving the next review", async () => {
    const app = await createTestApp();
    // GitHub fails the review's first call: nothing was read and no check run opened, so the
    // failure is reported in a summary created after looking for one.
    const gh = githubMock().token().listComments().createComment(1);
    gh.scope
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query({ per_page: 100 })
      .reply(503, { message: "Service Unavailable" });

    await receive(app);

    expect(gh.captured.summaries).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain("could not be completed");
    expect(app.logs.join("")).toContain("review failed");
    expect(gh.captured.checkRuns).toEqual([]);

    // The next push is reviewed, and its summary replaces the failure's.
    const next = githubMock()
      .listFiles([FILE])
      .context({ comments: [botComment(1, gh.captured.summaries[0] ?? "")] })
      .checkRun()
      .createReview()
      .updateComment(1);
    openaiMock([{ answer: oneFinding() }]);
    await receive(app, "synchronize");
    expect(next.captured.reviews).toHaveLength(1);
    expect(next.captured.summaries[0]).toContain("Problem on c.");
  });

  it("completes the check run when GitHub fails the review after it opened", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context()
      .checkRun(7000)
      .createReview(403, { message: "Resource not accessible by integration" })
      // Once publishing began, the summary is looked up before it is written.
      .listComments()
      .createComment(1);
    openaiMock([{ answer: oneFinding() }]);

    await receive(app);

    expect(app.logs.join("")).toContain("review failed");
    // The check run does not hang in progress; with the gate off, a failure blocks nothing.
    expect(gh.captured.checkUpdates).toMatchObject([
      {
        body: {
          status: "completed",
          conclusion: "neutral",
          output: { title: "The review could not be completed" },
        },
      },
    ]);
    // A first review: the summary is created to say so.
    expect(gh.captured.summaries).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain("could not be completed");
  });

  it("mints a new installation token once when GitHub refuses the cached one", async () => {
    const app = await createTestApp();
    const tokens = nock(GITHUB)
      .post("/app/installations/1/access_tokens")
      .reply(201, { token: "ghs_revoked", expires_at: "2099-01-01T00:00:00Z", permissions: {} })
      .post("/app/installations/1/access_tokens")
      .reply(201, { token: "ghs_fresh", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    const refused = nock(GITHUB, { reqheaders: { authorization: "token ghs_revoked" } })
      .get("/rate_limit")
      .reply(200, {})
      // The review's first call: GitHub refuses the cached token.
      .get("/repos/Codertocat/Hello-World/pulls/2/files")
      .query({ per_page: 100 })
      .reply(401, { message: "Bad credentials" });
    const gh = githubMock(
      nock(GITHUB, { reqheaders: { authorization: "token ghs_fresh" } }),
    ).firstReview({ comment: 1 });
    openaiMock([{ answer: oneFinding() }]);
    // auth-app itself retries a 401 for 5 s after minting (replication lag); Critic's refresh is
    // for a token revoked later. So the token is minted, then the clock moves on ten minutes.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      await (await app.probot.auth(1)).request("GET /rate_limit");
      vi.setSystemTime(Date.now() + 600_000);
      await receive(app);
    } finally {
      vi.useRealTimers();
    }

    expect(tokens.isDone() && refused.isDone()).toBe(true);
    expect(gh.captured.reviews).toHaveLength(1);
    expect(app.logs.join("")).toContain("minting a new one and retrying once");
    expect(app.logs.join("")).not.toMatch(/ghs_(revoked|fresh)/);
  });
});
