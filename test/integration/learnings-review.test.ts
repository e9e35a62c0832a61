/**
 * The Done-when case end to end: a reply teaches Critic, the next review in the
 * repository applies it, `/forget` undoes it. The review half needs run-review.ts to load the
 * repository's learnings and pass them to the engine (the wiring is in the learnings report);
 * until then the first review still posts the `eval` finding and this file fails.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AnchoredFinding } from "../../src/model/review-result.js";
import { renderComment } from "../../src/render/render-comment.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore } from "../../src/store/open-store.js";
import { compareMock, githubMock } from "../helpers/github-nock.js";
import { prCommentPayload, pullRequestPayload, threadReplyPayload } from "../helpers/payloads.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const COMMENT_ID = 492700400;
const REPLY_ID = 5556;
const ROOT = 284312630;

const SANDBOX = {
  filename: "src/sandbox.js",
  status: "added",
  additions: 2,
  deletions: 0,
  changes: 2,
  patch: "@@ -0,0 +1,2 @@\n+const run = (userInput) => eval(userInput);\n+export default run;",
};
const EVAL: AnchoredFinding = {
  path: "src/earlier.js",
  line: 3,
  severity: "critical",
  category: "security",
  message: "`eval` or `new Function` runs a string as code.",
  source: "no-eval",
};

const postgres = await postgresForThisFile("the learnings review on PostgreSQL");
const postgresUp = postgres.up;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function opened(app: TestApp, sha: string) {
  const payload = pullRequestPayload("opened");
  payload.pull_request.head = { ...payload.pull_request.head, sha };
  await app.probot.receive({ id: `pr-${sha}`, name: "pull_request", payload: payload as never });
  await app.idle();
}

describe.each([
  { name: "embedded (libSQL)", url: () => undefined, available: () => true },
  { name: "PostgreSQL", url: () => postgres.url(), available: () => postgresUp },
])("a learning in the next review on $name", (backend) => {
  it.runIf(backend.available())(
    "a reply on an eval finding suppresses the rule on the next pull request until /forget",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "critic-learnings-review-"));
      const store = await openStore(
        { databaseUrl: backend.url(), dataDir: dir, retentionDays: 90 },
        {
          log: pino({ level: "silent" }),
          redactor: createRedactor(),
          clock: { now: () => Date.UTC(2026, 10, 1), sleep: async () => {}, random: () => 0.5 },
        },
      );
      await store.db.deleteFrom("learnings").execute();
      const app = await createTestApp({ OPENAI_API_KEY: "" }, { store });
      cleanups.push(async () => {
        await app.close();
        await rm(dir, { recursive: true, force: true });
      });

      // 1. The reply on an earlier pull request's eval comment.
      const root = renderComment(EVAL);
      const taught = githubMock()
        .token()
        .getReviewComment(ROOT, root)
        .permission("maintainer", "write")
        .reaction(REPLY_ID, "eyes", "review")
        .getReviewComment(ROOT, root)
        .threadReply(ROOT)
        .reaction(REPLY_ID, "rocket", "review");
      taught.scope.get("/app").reply(200, { id: 123, slug: "critic" });
      const payload = threadReplyPayload(
        "@critic don't flag this: we allow eval in this sandbox",
        ROOT,
      );
      (payload.comment as Record<string, unknown>).id = REPLY_ID;
      await app.probot.receive({
        id: "reply",
        name: "pull_request_review_comment",
        payload: payload as never,
      });
      await app.idle();
      const [learning] = await store.learnings.list("Codertocat", "Hello-World");
      expect(learning?.rule).toBe("no-eval");

      // 2. The next pull request's review: no eval finding (so no review with inline comments),
      // and the summary says one was suppressed. [needs the run-review wiring]
      const suppressed = githubMock().firstReview({ files: [SANDBOX], review: false });
      await opened(app, "b".repeat(40));
      const summary = suppressed.captured.summaries.at(-1) ?? "";
      expect(summary).not.toContain("`eval`");
      expect(summary).toContain("_1 finding suppressed by learnings");

      // 3. /learnings lists it, /forget removes it.
      const listed = githubMock()
        .reaction(COMMENT_ID, "eyes")
        .createComment(2)
        .reaction(COMMENT_ID, "rocket");
      await app.probot.receive({
        id: "list",
        name: "issue_comment",
        payload: prCommentPayload("/learnings") as never,
      });
      await app.idle();
      expect(listed.captured.comments[0]?.body).toContain(
        `| ${learning?.id} | repository | rule \`no-eval\` | we allow eval in this sandbox | maintainer |`,
      );
      const forgot = githubMock()
        .reaction(COMMENT_ID, "eyes")
        .createComment(3)
        .reaction(COMMENT_ID, "rocket");
      await app.probot.receive({
        id: "forget",
        name: "issue_comment",
        payload: prCommentPayload(`/forget ${learning?.id}`) as never,
      });
      await app.idle();
      expect(forgot.captured.comments[0]?.body).toContain(`Forgot learning #${learning?.id}.`);

      // 4. The rule fires again (the summary Critic posted in 2. is updated).
      const fires = githubMock()
        .listFiles([SANDBOX])
        .context()
        .checkRun()
        .createReview()
        .updateComment(9001);
      // The history holds the review of 2.: this one covers what changed since its head.
      compareMock(fires.scope, "b".repeat(40), "c".repeat(40), {
        status: "ahead",
        files: [SANDBOX],
      });
      await opened(app, "c".repeat(40));
      const comments = (fires.captured.reviews[0] as { comments: Array<{ body: string }> })
        .comments;
      expect(comments.map((c) => c.body)).toContainEqual(
        expect.stringContaining('<!-- critic:finding {"r":"no-eval"'),
      );
      expect(fires.captured.summaries.at(-1)).not.toContain("suppressed by learnings");
    },
  );
});
