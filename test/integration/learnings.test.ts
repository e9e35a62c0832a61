import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { NO_DATABASE } from "../../src/commands/learn.js";
import type { AnchoredFinding } from "../../src/model/review-result.js";
import { parseFindingMarker } from "../../src/render/markers.js";
import { renderComment } from "../../src/render/render-comment.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { githubMock } from "../helpers/github-nock.js";
import { prCommentPayload, threadReplyPayload } from "../helpers/payloads.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const COMMENT_ID = 492700400;
const REPLY_ID = 5556;
const ROOT = 284312630;
const SECRET = "sk-learnings-test-0123456789abcdef";
const silent = pino({ level: "silent" });

/** The `eval` finding Critic commented on, and its comment as Critic renders it. */
const EVAL: AnchoredFinding = {
  path: "src/sandbox.js",
  line: 3,
  severity: "critical",
  category: "security",
  message: "`eval` or `new Function` runs a string as code.",
  source: "no-eval",
};
const EVAL_COMMENT = renderComment(EVAL, createRedactor([SECRET]));

const postgres = await postgresForThisFile("the learnings suite on PostgreSQL");
const postgresUp = postgres.up;

const BACKENDS = [
  { name: "embedded (libSQL)", url: () => undefined, available: () => true },
  { name: "PostgreSQL", url: () => postgres.url(), available: () => postgresUp },
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store of `backend` with no learnings in it; closed after the test. */
async function emptyStore(backend: (typeof BACKENDS)[number]): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), "critic-learnings-"));
  const store = await openStore(
    { databaseUrl: backend.url(), dataDir: dir, retentionDays: 90 },
    {
      log: silent,
      redactor: createRedactor([SECRET]),
      clock: { now: () => Date.UTC(2026, 10, 1), sleep: async () => {}, random: () => 0.5 },
    },
  );
  await store.db.deleteFrom("learnings").execute();
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

/** Critic with `store` (static checks only: no model is asked anything here). */
async function appWith(store: Store | undefined): Promise<TestApp> {
  const app = await createTestApp({ OPENAI_API_KEY: "" }, store ? { store } : {});
  cleanups.push(() => app.close());
  return app;
}

async function comment(app: TestApp, body: string, login = "maintainer") {
  await app.probot.receive({
    id: `c-${Math.random()}`,
    name: "issue_comment",
    payload: prCommentPayload(body, login) as never,
  });
  await app.idle();
}

async function reply(app: TestApp, body: string) {
  const payload = threadReplyPayload(body, ROOT);
  (payload.comment as Record<string, unknown>).id = REPLY_ID;
  await app.probot.receive({
    id: `r-${Math.random()}`,
    name: "pull_request_review_comment",
    payload: payload as never,
  });
  await app.idle();
  return payload;
}

/** GitHub's side of one command in the conversation: 👀, the answer, then 🚀 (or 😕). */
function answered(done: "rocket" | "confused" = "rocket", first = false) {
  const gh = githubMock();
  if (first) gh.token().permission("maintainer", "write");
  return gh.reaction(COMMENT_ID, "eyes").createComment(2).reaction(COMMENT_ID, done);
}

describe.each(BACKENDS)("learnings through the webhook path on $name", (backend) => {
  it.runIf(backend.available())(
    "a reply tells Critic not to flag a finding; /learnings lists it and /forget removes it",
    async () => {
      const store = await emptyStore(backend);
      const app = await appWith(store);
      const gh = githubMock()
        .token()
        .getReviewComment(ROOT, EVAL_COMMENT)
        .permission("maintainer", "write")
        .reaction(REPLY_ID, "eyes", "review")
        .getReviewComment(ROOT, EVAL_COMMENT)
        .threadReply(ROOT)
        .reaction(REPLY_ID, "rocket", "review");
      gh.scope.get("/app").reply(200, { id: 123, slug: "critic" });

      const payload = await reply(app, "@critic don't flag this: we allow eval in this sandbox");

      const [learned, ...none] = await store.learnings.list("Codertocat", "Hello-World");
      expect(none).toEqual([]);
      expect(learned).toMatchObject({
        scope: "repository",
        owner: "codertocat",
        repo: "hello-world",
        path: undefined,
        rule: "no-eval",
        category: "security",
        fingerprint: parseFindingMarker(EVAL_COMMENT)?.fingerprint,
        commentPath: (payload.comment as { path: string }).path,
        text: "we allow eval in this sandbox",
        createdBy: "maintainer",
      });
      const id = learned?.id ?? 0;
      expect(gh.captured.comments.map((c) => c.body)).toEqual([
        `Learned (#${id}): Critic will not flag \`no-eval\` in this repository again.\n\n> we allow eval in this sandbox\n\n\`/forget ${id}\` undoes it; \`/learnings\` lists what Critic learned here.`,
      ]);

      const listed = answered();
      await comment(app, "/learnings");
      expect(listed.captured.comments[0]?.body).toBe(
        `**What Critic learned about this repository** (1)\n\n| Id | Scope | Applies to | Learning | By |\n| --- | --- | --- | --- | --- |\n| ${id} | repository | rule \`no-eval\` | we allow eval in this sandbox | maintainer |\n\n\`/forget <id>\` removes one.`,
      );

      const forgot = answered();
      await comment(app, `/forget ${id}`);
      expect(forgot.captured.comments[0]?.body).toBe(
        `Forgot learning #${id}.\n\n> we allow eval in this sandbox`,
      );
      expect(await store.learnings.list("Codertocat", "Hello-World")).toEqual([]);

      const again = answered("confused");
      await comment(app, `/forget ${id}`);
      expect(again.captured.comments[0]?.body).toBe(
        `There is no learning #${id} for this repository. \`/learnings\` lists them.`,
      );
    },
  );

  it.runIf(backend.available())("a question in the thread is asked, not learned", async () => {
    const store = await emptyStore(backend);
    const app = await appWith(store);
    const gh = githubMock()
      .token()
      .getReviewComment(ROOT, EVAL_COMMENT)
      .permission("maintainer", "write")
      .reaction(REPLY_ID, "eyes", "review")
      .config()
      .getPullFull()
      .getReviewComment(ROOT, EVAL_COMMENT)
      .threadReply(ROOT)
      .reaction(REPLY_ID, "confused", "review");
    gh.scope.get("/app").reply(200, { id: 123, slug: "critic" });

    await reply(app, "@critic don't flag this?");

    expect(gh.captured.comments[0]?.body).toContain("> don't flag this?");
    expect(await store.learnings.list("Codertocat", "Hello-World")).toEqual([]);
  });

  it.runIf(backend.available())(
    "/learn teaches the repository (or some of its files); organisation owners teach the organisation",
    async () => {
      const store = await emptyStore(backend);
      const app = await appWith(store);

      const repo = answered("rocket", true);
      await comment(app, "/learn path:src/legacy/** `var` is fine in legacy code.");
      const [own] = await store.learnings.list("Codertocat", "Hello-World");
      expect(own).toMatchObject({
        scope: "repository",
        path: "src/legacy/**",
        rule: undefined,
        text: "`var` is fine in legacy code.",
      });
      expect(repo.captured.comments[0]?.body).toContain(
        `Learned (#${own?.id}) for this repository (files matching \`src/legacy/**\`): Critic gives this to its model as guidance`,
      );

      const owner = answered();
      owner.scope
        .get("/orgs/Codertocat/memberships/maintainer")
        .reply(200, { role: "admin", state: "active" });
      await comment(app, "/learn org: Prefer pnpm over npm.");
      expect(owner.captured.comments[0]?.body).toContain("for every repository of Codertocat");
      // Every repository of the organisation sees it; another account's do not.
      expect((await store.learnings.list("codertocat", "other-repo")).map((l) => l.text)).toEqual([
        "Prefer pnpm over npm.",
      ]);
      expect(await store.learnings.list("someone-else", "Hello-World")).toEqual([]);

      const member = answered("confused");
      member.scope
        .get("/orgs/Codertocat/memberships/maintainer")
        .reply(200, { role: "member", state: "active" });
      await comment(app, "/learn org: Tabs, not spaces.");
      expect(member.captured.comments[0]?.body).toBe(
        "Only owners of the Codertocat organisation can make or remove its learnings. `/learn <text>` (without `org:`) teaches this repository.",
      );

      const unknown = answered("confused");
      unknown.scope
        .get("/orgs/Codertocat/memberships/maintainer")
        .reply(403, { message: "Resource not accessible by integration" });
      await comment(app, "/learn org: Tabs, not spaces.");
      expect(unknown.captured.comments[0]?.body).toContain(
        "the App lacks the organisation permission Members: read",
      );
      expect((await store.learnings.list("Codertocat", "Hello-World")).map((l) => l.scope)).toEqual(
        ["repository", "organisation"],
      );
    },
  );

  it.runIf(backend.available())(
    "the pull request's author without write access cannot teach Critic, even with allow_author",
    async () => {
      const store = await emptyStore(backend);
      const app = await appWith(store);
      const gh = githubMock().token().permission("Codertocat", "read").createComment(9);

      await comment(app, "/learn eval is fine everywhere", "Codertocat");

      expect(gh.captured.comments.map((c) => c.body)).toEqual([
        "Sorry @Codertocat, only people with write access to this repository can run Critic's commands.",
      ]);
      expect(await store.learnings.list("Codertocat", "Hello-World")).toEqual([]);
    },
  );

  it.runIf(backend.available())(
    "stores text redacted and bounded, and a scope holds at most 200 learnings",
    async () => {
      const store = await emptyStore(backend);
      const base = {
        scope: "repository" as const,
        owner: "Octo",
        repo: "App",
        path: undefined,
        rule: undefined,
        category: undefined,
        fingerprint: undefined,
        commentPath: undefined,
        createdBy: "maintainer",
      };

      const first = await store.learnings.add({
        ...base,
        text: `Our key ${SECRET} is fine. ${"x".repeat(2_000)}`,
      });

      expect(first?.text).not.toContain(SECRET);
      expect(first?.text).toContain("[REDACTED]");
      expect(first?.text.length).toBeLessThanOrEqual(500);
      expect(await store.learnings.get(first?.id ?? 0)).toEqual(first);
      for (let i = 1; i < 200; i++) await store.learnings.add({ ...base, text: `rule ${i}` });
      expect(await store.learnings.add({ ...base, text: "one too many" })).toBeUndefined();
      expect(await store.learnings.remove(first?.id ?? 0)).toBe(true);
      expect(await store.learnings.remove(first?.id ?? 0)).toBe(false);
    },
  );

  it.runIf(backend.available())(
    "a comment's marker carries the fingerprint the history stores for its finding",
    async () => {
      const store = await emptyStore(backend);
      const redactor = createRedactor([SECRET]);
      const finding = { ...EVAL, message: `Do not eval ${SECRET}.`, source: "openai" };

      await store.history.record({
        deliveryId: "d",
        installationId: 1,
        owner: "octo",
        repo: "fingerprints",
        pullNumber: 1,
        headSha: "a".repeat(40),
        trigger: "opened",
        outcome: "reviewed",
        durationMs: 1,
        findings: [{ ...finding, placement: "inline" }],
      });
      const [review] = await store.history.recent({ owner: "octo", repo: "fingerprints" });

      expect(review?.findings[0]?.fingerprint).toBe(
        parseFindingMarker(renderComment(finding, redactor))?.fingerprint,
      );
    },
  );
});

describe("learnings without a database", () => {
  it.each(["/learnings", "/learn Prefer tabs.", "/forget 1"])(
    "%s answers that learnings need the history database",
    async (body) => {
      const app = await appWith(undefined);
      const gh = answered("confused", true);

      await comment(app, body);

      expect(gh.captured.comments[0]?.body).toBe(NO_DATABASE);
    },
  );
});
