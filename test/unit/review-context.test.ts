import nock from "nock";
import { describe, expect, it } from "vitest";
import type { GitHub } from "../../src/github/octokit.js";
import { readReviewContext } from "../../src/github/review-context.js";
import { createSummaryIndex } from "../../src/github/summary-index.js";
import { createSummaryLock } from "../../src/github/summary-lock.js";
import { writeSummary } from "../../src/github/write-summary.js";
import { createPullHeads } from "../../src/queue/pull-heads.js";
import { botComment, contextMock, GITHUB, OWNER, PR, REPO } from "../helpers/github-nock.js";
import { TestOctokit } from "../helpers/test-app.js";

const ref = { owner: OWNER, repo: REPO, pullNumber: PR };
const MARKER = "<!-- critic:summary -->";
const gh = () => new TestOctokit({ auth: "token" }) as unknown as GitHub;
const read = (paths: string[] = [], own = { appId: 123 }) =>
  readReviewContext(gh(), {
    ref,
    headSha: "a".repeat(40),
    own,
    marker: MARKER,
    paths,
    maxBytes: 1_000,
  });

describe("the review's one GraphQL read", () => {
  it("reads the configuration, the summary, the rules and the head files in one request", async () => {
    const { requests } = contextMock({
      config: "review_event: comment\nstatic:\n  complexity_threshold: 12\n",
      comments: [botComment(4_294_967_296, `${MARKER}\nlast review`)],
      texts: { "src/a.ts": "export const a = 1;\n", "big.ts": "x".repeat(2_000) },
      rules: { "no-todo.yml": "id: no-todo\n", "README.md": "not a rule" },
    });

    const context = await read(["src/a.ts", "big.ts", "gone.ts"]);

    expect(requests).toHaveLength(1);
    expect(context.config.errors).toEqual([]);
    expect(context.config.config.static.complexity_threshold).toBe(12);
    // A comment id past 2^31, as GitHub's are now: read from fullDatabaseId, not databaseId.
    expect(context.summary).toEqual({ id: 4_294_967_296, body: `${MARKER}\nlast review` });
    // Over maxBytes, or missing: left for the engine to parse from the hunks.
    expect([...context.sources.headTexts.keys()]).toEqual(["src/a.ts"]);
    expect(context.prefetched).toEqual(new Set(["src/a.ts", "big.ts", "gone.ts"]));
    expect(context.sources.ruleSources.map((r) => r.label)).toEqual([
      ".github/critic/rules/no-todo.yml",
    ]);
    expect(requests[0]?.query).toContain('org: repository(owner: $owner, name: ".github")');
  });

  it("takes the organisation's configuration when the repository has none", async () => {
    contextMock({ orgConfig: "enabled: false\n" });

    const context = await read();

    expect(context.config.config.enabled).toBe(false);
    expect(context.config.origins?.enabled).toBe(`${OWNER}/.github:.github/critic.yml`);
  });

  it("names the file and uses the defaults when the configuration is not YAML or not a mapping", async () => {
    contextMock({ config: "review_event: [unclosed\n" });
    const broken = await read();
    expect(broken.config.config.enabled).toBe(true);
    expect(broken.config.errors[0]).toMatch(/^\.github\/critic\.yml: could not be read \(/);

    contextMock({ config: "- a\n- b\n" });
    const list = await read();
    expect(list.config.errors).toEqual([
      ".github/critic.yml: is not a mapping of keys to values; using the defaults.",
    ]);
  });

  it("finds only Critic's own summary: not a person's quote, not another bot's", async () => {
    contextMock({
      comments: [
        { id: 1, body: `${MARKER} quoted`, user: { login: "octocat", type: "User" } },
        botComment(2, `${MARKER} another bot`, 999),
        { id: 3, body: MARKER, user: null },
        botComment(4, "no marker here"),
        botComment(5, `${MARKER}\nmine`),
      ],
    });

    expect((await read()).summary?.id).toBe(5);
  });

  it("finds the Action's summary by its bot's login, which GraphQL gives without [bot]", async () => {
    contextMock({
      comments: [{ id: 8, body: MARKER, user: { login: "github-actions[bot]", type: "Bot" } }],
    });

    const context = await read([], { appId: 0, botLogin: "github-actions[bot]" } as never);

    expect(context.summary?.id).toBe(8);
  });

  it("falls back to one read at a time when the query fails", async () => {
    nock(GITHUB).post("/graphql").reply(502, { message: "Bad Gateway" });
    const path = `/repos/${OWNER}/${REPO}/contents/.github%2Fcritic.yml`;
    nock(GITHUB).get(path).reply(200, "enabled: false\n", {
      "content-type": "application/vnd.github.v3.raw; charset=utf-8",
    });
    nock(GITHUB)
      .get(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`)
      .query({ per_page: 100 })
      .reply(200, [botComment(9, MARKER)]);

    const context = await read(["src/a.ts"]);

    expect(context.config.config.enabled).toBe(false);
    expect(context.summary?.id).toBe(9);
    // Head files and rules are then read when the engine asks for them.
    expect(context.rulesRead).toBe(false);
    expect(context.prefetched.size).toBe(0);
  });
});

describe("the summary comment, written by reviews and commands alike", () => {
  const store = () => ({
    lock: createSummaryLock(),
    index: createSummaryIndex(),
    own: { appId: 123 },
  });

  it("creates it once under concurrent writers; the later one edits it and sees its text", async () => {
    const summaries = store();
    const posts = nock(GITHUB)
      .post(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`)
      .reply(201, { id: 70 });
    const edits: string[] = [];
    nock(GITHUB)
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/70`, (body: { body: string }) => {
        edits.push(body.body);
        return true;
      })
      .reply(200, { id: 70 });
    const seen: Array<string | undefined> = [];
    const write = (text: string) =>
      writeSummary(summaries, {
        gh: gh(),
        ref,
        key: "k",
        known: undefined,
        render: (current) => {
          seen.push(current?.body);
          return `${MARKER}\n${text}`;
        },
      });

    await Promise.all([write("first"), write("second")]);

    expect(posts.isDone()).toBe(true);
    expect(seen).toEqual([undefined, `${MARKER}\nfirst`]);
    expect(edits).toEqual([`${MARKER}\nsecond`]);
  });

  it("posts a new summary when somebody deleted the one it knew", async () => {
    nock(GITHUB)
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/70`)
      .reply(404, { message: "Not Found" });
    nock(GITHUB).post(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`).reply(201, { id: 71 });

    const written = await writeSummary(store(), {
      gh: gh(),
      ref,
      key: "k",
      known: { id: 70, body: "old" },
      render: () => `${MARKER}\nnew`,
    });

    expect(written.id).toBe(71);
  });
});

describe("the newest head of each pull request", () => {
  it("keeps the last word per pull request, and forgets the oldest past its size", async () => {
    const heads = createPullHeads(2);
    await heads.record("a#1", { sha: "1".repeat(40), open: true });
    await heads.record("a#1", { sha: "2".repeat(40), open: false });
    await heads.record("a#2", { sha: "3".repeat(40), open: true });
    await heads.record("a#3", { sha: "4".repeat(40), open: true });

    expect(await heads.latest("a#1")).toBeUndefined();
    expect(await heads.latest("a#2")).toEqual({ sha: "3".repeat(40), open: true });
    expect(await heads.latest("a#3")).toEqual({ sha: "4".repeat(40), open: true });
  });
});
