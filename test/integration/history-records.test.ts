/**
 * The history's records beyond reviews, on both databases: every command with who asked and how
 * it ended, and the last reviewed head (with its findings) that a re-review starts from, where the
 * database is the record and the summary's markers the fallback.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { renderFindings, renderState } from "../../src/render/markers.js";
import { createRedactor } from "../../src/security/redactor.js";
import { COMMAND_LIMITS } from "../../src/store/command-history.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { botComment, compareMock, githubMock, OWNER, PR, REPO } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { prCommentPayload, pullRequestPayload } from "../helpers/payloads.js";
import { postgresForThisFile } from "../helpers/postgres-up.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const DAY = 86_400_000;
const COMMENT_ID = 492700400;
const SECRET = "sk-history-records-0123456789abcdef";
const LAST = "a".repeat(40);
const NEXT = "b".repeat(40);
const RECORDED = "d".repeat(40);

const postgres = await postgresForThisFile("the history records on PostgreSQL");
const postgresUp = postgres.up;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BACKENDS = [
  { name: "embedded (libSQL)", url: () => undefined, available: () => true },
  { name: "PostgreSQL", url: () => postgres.url(), available: () => postgresUp },
];

describe.each(BACKENDS)("history records on $name", (backend) => {
  let now = Date.UTC(2026, 10, 1);
  const clock = { now: () => now, sleep: async () => {}, random: () => 0.5 };

  /** A store with empty tables (PostgreSQL's database is shared by the file's tests). */
  async function freshStore(): Promise<Store> {
    const dir = await mkdtemp(join(tmpdir(), "critic-history-records-"));
    const store = await openStore(
      { databaseUrl: backend.url(), dataDir: dir, retentionDays: 90 },
      { log: pino({ level: "silent" }), redactor: createRedactor([SECRET]), clock },
    );
    for (const table of ["findings", "reviews", "commands"] as const)
      await store.db.deleteFrom(table).execute();
    cleanups.push(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    return store;
  }

  async function appWith(store: Store, env: Record<string, string> = {}): Promise<TestApp> {
    const app = await createTestApp(env, { store });
    cleanups.push(() => app.close());
    return app;
  }

  async function comment(app: TestApp, body: string) {
    await app.probot.receive({
      id: `c-${Math.random()}`,
      name: "issue_comment",
      payload: prCommentPayload(body, "maintainer") as never,
    });
    await app.idle();
  }

  it.runIf(backend.available())(
    "keeps commands sanitized and bounded, newest first, and deletes them with the history",
    async () => {
      now = Date.UTC(2026, 10, 1);
      const store = await freshStore();
      const base = {
        deliveryId: "d-1",
        installationId: 4_000_000_001,
        owner: "octo",
        repo: "app",
        pullNumber: 7,
        sender: "maintainer",
      };
      await store.commands.record({
        ...base,
        command: "ask",
        text: `/ask is ${SECRET} safe? ${"x".repeat(5_000)}`,
        result: "answered",
      });
      now += 1_000;
      await store.commands.record({
        ...base,
        pullNumber: 8,
        command: "review",
        text: "/review",
        result: "refused",
        reason: "the pull request is closed",
      });

      const [newest, oldest] = await store.commands.recent({ owner: "octo", repo: "app" });
      expect(newest).toMatchObject({
        pullNumber: 8,
        command: "review",
        result: "refused",
        reason: "the pull request is closed",
        sender: "maintainer",
        createdAt: now,
      });
      expect(oldest?.text).not.toContain(SECRET);
      expect(oldest?.text.length).toBe(COMMAND_LIMITS.text);
      expect(oldest?.installationId).toBe(4_000_000_001);
      expect(
        await store.commands.recent({ owner: "octo", repo: "app", pullNumber: 7 }),
      ).toHaveLength(1);
      expect(await store.commands.recent({ owner: "octo", repo: "other" })).toEqual([]);

      // Retention is the history's: 90 days on, the daily sweep deletes them.
      now += 91 * DAY;
      await store.sweep();
      expect(await store.commands.recent()).toEqual([]);
    },
  );

  it.runIf(backend.available())(
    "records each command run through the webhook: answered, refused or failed, with who asked",
    async () => {
      const store = await freshStore();
      const app = await appWith(store);
      githubMock()
        .token()
        .permission("maintainer", "write")
        .reaction(COMMENT_ID, "eyes")
        .createComment(2)
        .reaction(COMMENT_ID, "rocket")
        .reaction(COMMENT_ID, "eyes")
        .getPullFull({ state: "closed" })
        .createComment(3)
        .reaction(COMMENT_ID, "confused")
        .reaction(COMMENT_ID, "eyes")
        .createComment(4, 422)
        .createComment(5)
        .reaction(COMMENT_ID, "confused");

      await comment(app, "/help");
      await comment(app, "/review full");
      await comment(app, "/approve please");

      const recorded = await store.commands.recent({ owner: OWNER, repo: REPO });
      expect(
        recorded.reverse().map((c) => [c.command, c.text, c.result, c.sender, c.pullNumber]),
      ).toEqual([
        ["help", "/help", "answered", "maintainer", PR],
        ["review", "/review full", "refused", "maintainer", PR],
        ["unknown", "/approve", "failed", "maintainer", PR],
      ]);
      expect(recorded[1]?.reason).toBe("the pull request is closed");
      expect(recorded[2]?.reason).toBeTruthy();
    },
  );

  it.runIf(backend.available())(
    "answers a command even when the history cannot record it",
    async () => {
      const store = await freshStore();
      const down: Store = {
        ...store,
        commands: {
          ...store.commands,
          record: () => Promise.reject(new Error("the database is down")),
        },
      };
      const app = await appWith(down);
      const gh = githubMock()
        .token()
        .permission("maintainer", "write")
        .reaction(COMMENT_ID, "eyes")
        .createComment(2)
        .reaction(COMMENT_ID, "rocket");

      await comment(app, "/help");

      expect(gh.captured.comments).toHaveLength(1);
      expect(app.logs.join("")).toContain("could not record the command in the history");
    },
  );

  const X_PR = {
    filename: "src/x.ts",
    status: "modified",
    additions: 3,
    deletions: 1,
    changes: 4,
    patch: "@@ -1,3 +1,5 @@\n a\n-b\n+B\n+c\n+d2\n e",
  };
  const Y_PR = {
    filename: "src/y.ts",
    status: "added",
    additions: 1,
    deletions: 0,
    changes: 1,
    patch: "@@ -0,0 +1 @@\n+const y = 1;",
  };
  const X_PUSH = {
    filename: "src/x.ts",
    status: "modified",
    additions: 1,
    deletions: 1,
    changes: 2,
    patch: "@@ -2,3 +2,3 @@\n B\n c\n-d\n+d2",
  };
  // The summary's markers name an older head, and a finding the database does not hold.
  const staleSummary = [
    "<!-- critic:summary -->\n\n## Critic review\n\nold",
    renderFindings([
      { p: "src/x.ts", l: 4, s: "suggestion", c: "style", m: "Marker-only finding.", i: true },
    ]),
    renderState({ sha: LAST, version: "0.1.0" }),
  ].join("\n");

  async function recordReviewed(store: Store, headSha: string, outcome = "reviewed") {
    await store.history.record({
      deliveryId: `earlier-${headSha.slice(0, 4)}-${outcome}`,
      installationId: 1,
      owner: OWNER,
      repo: REPO,
      pullNumber: PR,
      headSha,
      trigger: "synchronize",
      outcome,
      durationMs: 10,
      findings: [
        {
          path: "src/x.ts",
          line: 3,
          severity: "warning",
          category: "bug",
          source: "openai",
          message: "Problem on c.",
          placement: "inline",
        },
        {
          path: "src/y.ts",
          line: 1,
          severity: "suggestion",
          category: "style",
          source: "openai",
          message: "Export y.",
          placement: "earlier",
        },
      ],
    });
  }

  async function push(app: TestApp, sha: string) {
    const base = pullRequestPayload("synchronize");
    await app.probot.receive({
      id: `push-${sha}-${Math.random()}`,
      name: "pull_request",
      payload: pullRequestPayload("synchronize", {
        head: { ...base.pull_request.head, sha },
      }) as never,
    });
    await app.idle();
  }

  it.runIf(backend.available())(
    "starts a re-review from the database's last reviewed head when the summary's marker names an older one",
    async () => {
      const store = await freshStore();
      await recordReviewed(store, RECORDED);
      // A later review that did not post is not where the next one starts.
      await recordReviewed(store, "f".repeat(40), "failed");
      const app = await appWith(store);
      const gh = githubMock()
        .token()
        .context({ comments: [botComment(77, staleSummary)] })
        .updateComment(77)
        .listFiles([X_PR, Y_PR])
        .checkRun();
      // Strict nock: a compare from the marker's head (LAST) would be an unmatched request.
      compareMock(gh.scope, RECORDED, NEXT, { status: "ahead", files: [X_PUSH] });
      const llm = openaiMock([{ answer: modelAnswer([]) }]);

      await push(app, NEXT);

      const summary = gh.captured.summaries.at(-1) ?? "";
      expect(summary).toContain("Reviewed the changes since `ddddddd` (1 file)");
      expect(llm.requests[0]?.messages[1]?.content).not.toContain("src/y.ts");
      // The earlier findings are the database's, not the marker's.
      expect(summary).toContain("- `src/x.ts:3` (bug) Problem on c. _(from an earlier review)_");
      expect(summary).toContain("- `src/y.ts:1` (style) Export y. _(from an earlier review)_");
      expect(summary).not.toContain("Marker-only finding.");
      expect(summary).toContain(`"sha":"${NEXT}"`);
      const last = await store.history.lastReviewed({ owner: OWNER, repo: REPO, pullNumber: PR });
      expect(last?.headSha).toBe(NEXT);
      // The carried findings are kept with the new review, and not counted again.
      expect(last?.findings.map((f) => [f.path, f.line, f.placement])).toEqual([
        ["src/x.ts", 3, "earlier-inline"],
        ["src/y.ts", 1, "earlier"],
      ]);
      expect(last?.bySeverity).toEqual({ critical: 0, warning: 0, suggestion: 0 });
    },
  );

  it.runIf(backend.available())(
    "skips a head the database says was reviewed, whatever the marker says",
    async () => {
      const store = await freshStore();
      await recordReviewed(store, NEXT);
      const app = await appWith(store);
      githubMock()
        .token()
        .context({ comments: [botComment(77, staleSummary)] })
        .listFiles([X_PR, Y_PR]);

      await push(app, NEXT);

      expect(app.logs.join("")).toContain("head already reviewed");
      const [newest] = await store.history.recent({ owner: OWNER, repo: REPO, limit: 1 });
      expect(newest?.outcome).toBe("skipped");
    },
  );
});
