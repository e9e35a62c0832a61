import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { renderFindingMarker } from "../../src/render/markers.js";
import { createRedactor } from "../../src/security/redactor.js";
import { findingFingerprint } from "../../src/store/fingerprint.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { createFakeClock } from "../helpers/fake-clock.js";
import { botComment, compareMock, FILE, githubMock, reviewThread } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { examplePayload, pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const HEAD = pullRequestPayload("synchronize").pull_request.head.sha;
// The summary of an earlier review of the example's head.
const SUMMARY = `<!-- critic:summary -->\n\n## Critic review\n\nold\n\n<!-- critic:state {"sha":"${HEAD}","version":"0.1.0"} -->`;
const marker = (finding: { path: string; category: string; source: string; message: string }) =>
  renderFindingMarker({
    rule: "model",
    category: finding.category,
    fingerprint: findingFingerprint(finding),
  });
const SETTLED = { path: "src/x.ts", category: "bug", source: "openai", message: "Off by one." };
const OTHER = { path: "src/x.ts", category: "style", source: "openai", message: "Name it better." };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function appWithStore(): Promise<TestApp & { store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), "critic-outcomes-"));
  const clock = createFakeClock(Date.now());
  const store = await openStore(
    { databaseUrl: undefined, dataDir: dir, retentionDays: 90 },
    { log: pino({ level: "silent" }), redactor: createRedactor(), clock: clock.clock },
  );
  const app = await createTestApp({}, { store });
  cleanups.push(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return Object.assign(app, { store });
}

describe("what became of Critic's comments", () => {
  it("does not raise again what a person settled, resolves threads whose code changed, and reports the acted-on share", async () => {
    const app = await appWithStore();
    const resolved: string[] = [];
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context({
        // A `/review` of the reviewed head: the earlier summary and its threads.
        comments: [botComment(77, SUMMARY)],
        threads: [
          // A person resolved it: acted on, and not raised again.
          reviewThread({
            id: "T1",
            commentId: 501,
            body: `**🟠 Warning** · bug\n\nOff by one.\n\n${marker(SETTLED)}`,
            resolvedBy: "octocat",
          }),
          // The push changed the code under it: Critic resolves it (fixed).
          reviewThread({
            id: "T2",
            commentId: 502,
            body: `**💡 Suggestion** · style\n\nOld name.\n\n${marker(OTHER)}`,
            outdated: true,
          }),
          // Turned down in a reply: not raised again, but not acted on either.
          reviewThread({
            id: "T3",
            commentId: 503,
            line: 4,
            body: `**💡 Suggestion** · style\n\nName it better.\n\n${marker(OTHER)}`,
            replies: ["Not an issue: this name is the API's."],
          }),
        ],
      })
      .checkRun()
      .createReview()
      .updateComment(77);
    // The earlier review's commit is gone from the branch: the push is reviewed whole.
    compareMock(gh.scope, HEAD, "f".repeat(40), 404);
    gh.scope
      .post("/graphql", (body: { query: string; variables: { id: string } }) => {
        if (!body.query.includes("resolveReviewThread")) return false;
        resolved.push(body.variables.id);
        return true;
      })
      .reply(200, { data: { resolveReviewThread: { thread: { id: "T2", isResolved: true } } } });
    openaiMock([
      {
        answer: modelAnswer([
          { path: "src/x.ts", line: 3, category: "bug", message: "Off by one." },
          {
            path: "src/x.ts",
            line: 4,
            category: "style",
            severity: "suggestion",
            message: "Name it better.",
          },
          { path: "src/x.ts", line: 4, category: "bug", message: "A new problem." },
        ]),
      },
    ]);

    await app.probot.receive({
      id: "d-review",
      name: "pull_request",
      payload: pullRequestPayload("synchronize", {
        head: { ...pullRequestPayload("synchronize").pull_request.head, sha: "f".repeat(40) },
      }) as never,
    });
    await app.idle();

    // Only the new problem is posted; the settled ones are held back and the summary says why.
    const posted = (gh.captured.reviews[0] as { comments: Array<{ body: string }> }).comments;
    expect(posted.map((c) => c.body.split("\n\n")[1])).toEqual(["A new problem."]);
    expect(resolved).toEqual(["T2"]);
    const summary = gh.captured.summaries.at(-1) ?? "";
    expect(summary).toContain("2 findings were not raised again");
    expect(summary).toContain(
      "Critic resolved 1 earlier comment of its own: the code under it changed.",
    );
    // T1 resolved by a person and T2 fixed, of three: 67 %.
    expect(summary).toContain(
      "67 % of Critic's comments in this repository acted on in 30 days (2 of 3)",
    );
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toContain(
      'critic_comments_acted_on_ratio{repository="Codertocat/Hello-World"} 0.6666666666666666',
    );
  });

  it("counts a thread a person resolves later, from the webhook alone", async () => {
    const app = await appWithStore();
    await app.store.threads.note("Codertocat/Hello-World", 2, [
      {
        id: "PRRT_kwDOEL39TM4w7XDQ",
        commentId: 9,
        path: "src/x.ts",
        line: 3,
        fingerprint: undefined,
        resolvedBy: undefined,
        outdated: false,
        replies: 0,
        dismissed: false,
        thumbsUp: 0,
        thumbsDown: 0,
      },
    ]);
    expect(await app.store.threads.actedOn("Codertocat/Hello-World", 0)).toEqual({
      actedOn: 0,
      total: 1,
    });

    const resolvedExample = examplePayload("pull_request_review_thread", "resolved");
    await app.probot.receive({
      id: "d-thread",
      name: "pull_request_review_thread",
      payload: resolvedExample as never,
    });

    expect(await app.store.threads.actedOn("Codertocat/Hello-World", 0)).toEqual({
      actedOn: 1,
      total: 1,
    });
  });

  it("resolves at most ten threads a review, so a sweeping push does not spend the write budget", async () => {
    const app = await appWithStore();
    const resolved: string[] = [];
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context({
        comments: [botComment(77, SUMMARY)],
        threads: Array.from({ length: 12 }, (_, i) =>
          reviewThread({
            id: `T${i}`,
            commentId: 600 + i,
            body: `x\n\n${marker(OTHER)}`,
            outdated: true,
          }),
        ),
      })
      .checkRun()
      .createReview()
      .updateComment(77);
    compareMock(gh.scope, HEAD, "d".repeat(40), 404);
    gh.scope
      .post("/graphql", (body: { query: string; variables: { id: string } }) => {
        if (!body.query.includes("resolveReviewThread")) return false;
        resolved.push(body.variables.id);
        return true;
      })
      .times(10)
      .reply(200, { data: { resolveReviewThread: { thread: { isResolved: true } } } });
    openaiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "m" }]) }]);

    await app.probot.receive({
      id: "d-sweep",
      name: "pull_request",
      payload: pullRequestPayload("synchronize", {
        head: { ...pullRequestPayload("synchronize").pull_request.head, sha: "d".repeat(40) },
      }) as never,
    });
    await app.idle();

    expect(resolved).toEqual(Array.from({ length: 10 }, (_, i) => `T${i}`));
    expect(gh.captured.summaries.at(-1)).toContain(
      "Critic resolved 10 earlier comments of its own",
    );
  });

  it("reviews all the same when GitHub will not let it resolve threads, and says why", async () => {
    const app = await appWithStore();
    const gh = githubMock()
      .token()
      .listFiles([FILE])
      .context({
        comments: [botComment(77, SUMMARY)],
        threads: [
          reviewThread({ id: "T9", commentId: 509, body: `x\n\n${marker(OTHER)}`, outdated: true }),
        ],
      })
      .checkRun()
      .createReview()
      .updateComment(77);
    compareMock(gh.scope, HEAD, "e".repeat(40), 404);
    gh.scope
      .post("/graphql", (body: { query: string }) => body.query.includes("resolveReviewThread"))
      .reply(200, {
        data: { resolveReviewThread: null },
        errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }],
      });
    openaiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "m" }]) }]);

    await app.probot.receive({
      id: "d-forbidden",
      name: "pull_request",
      payload: pullRequestPayload("synchronize", {
        head: { ...pullRequestPayload("synchronize").pull_request.head, sha: "e".repeat(40) },
      }) as never,
    });
    await app.idle();

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.summaries.at(-1)).toContain("Contents: write");
  });
});
