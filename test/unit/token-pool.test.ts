import nock from "nock";
import { describe, expect, it } from "vitest";
import { createTokenPool } from "../../src/github/token-pool.js";
import { createPoolOctokit } from "../../src/github/token-pool-auth.js";

const API = "https://api.github.com";
const NOW = 1_800_000_000_000;
const RESET = NOW / 1000 + 3600;

const quota = (remaining: number, reset = RESET) => ({
  "x-ratelimit-remaining": String(remaining),
  "x-ratelimit-reset": String(reset),
  "content-type": "application/json; charset=utf-8",
});

function replyAs(
  token: string,
  status: number,
  headers: Record<string, string>,
  body: object = {},
) {
  return nock(API, { reqheaders: { authorization: `token ${token}` } })
    .get("/repos/o/r")
    .reply(status, body, headers);
}

describe("github/token-pool", () => {
  it("tries unknown tokens first, then the one with the most quota left", () => {
    let now = NOW;
    const pool = createTokenPool(["a", "b", "c"], () => now);
    expect(pool.pick()?.token).toBe("a");
    const later = String(RESET + 7200);
    pool.record(0, { "x-ratelimit-remaining": "10", "x-ratelimit-reset": later });
    expect(pool.pick()?.token).toBe("b");
    pool.record(1, { "x-ratelimit-remaining": "4000", "x-ratelimit-reset": String(RESET) });
    pool.record(2, { "x-ratelimit-remaining": "50", "x-ratelimit-reset": later });
    expect(pool.pick()?.token).toBe("b");
    expect(pool.pick(new Set([1]))?.token).toBe("c");
    // b runs dry: skipped until its reset, then usable again at full rank.
    pool.record(1, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(RESET) });
    expect(pool.pick()?.token).toBe("c");
    now = RESET * 1000 + 1;
    expect(pool.pick()?.token).toBe("b");
  });

  it("ignores headers that are missing or not numbers", () => {
    const pool = createTokenPool(["a", "b"], () => NOW);
    pool.record(0, { "x-ratelimit-remaining": "lots" });
    pool.record(5, { "x-ratelimit-remaining": "1" });
    expect(pool.describe()).toEqual([
      { index: 0, retired: false },
      { index: 1, retired: false },
    ]);
  });

  it("has nothing to give when every token is retired or exhausted, and says when that ends", () => {
    const pool = createTokenPool(["a", "b"], () => NOW);
    pool.retire(0);
    pool.record(1, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(RESET) });
    expect(pool.pick()).toBeUndefined();
    expect(pool.nextReset()).toBe(RESET * 1000);
  });
});

describe("github/token-pool-auth", () => {
  it("sends each read with the token that has the most quota left", async () => {
    const pool = createTokenPool(["tok-a", "tok-b"], () => NOW);
    const gh = createPoolOctokit({ pool });
    const first = replyAs("tok-a", 200, quota(12), { full_name: "o/r" });
    const second = replyAs("tok-b", 200, quota(4000), { full_name: "o/r" });
    const third = replyAs("tok-b", 200, quota(3999), { full_name: "o/r" });
    for (let i = 0; i < 3; i++)
      await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect([first.isDone(), second.isDone(), third.isDone()]).toEqual([true, true, true]);
    expect(pool.describe().map((t) => t.remaining)).toEqual([12, 3999]);
  });

  it("moves on from an exhausted token within the same request and skips it until its reset", async () => {
    let now = NOW;
    const pool = createTokenPool(["tok-a", "tok-b"], () => now);
    const gh = createPoolOctokit({ pool });
    const scopes = [
      replyAs("tok-a", 403, quota(0), { message: "API rate limit exceeded" }),
      replyAs("tok-b", 200, quota(30)),
      replyAs("tok-b", 200, quota(29)),
    ];
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    now = RESET * 1000 + 1;
    scopes.push(replyAs("tok-a", 200, quota(5000, RESET + 3600)));
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(scopes.every((s) => s.isDone())).toBe(true);
  });

  it("stops using a token GitHub refuses", async () => {
    const pool = createTokenPool(["revoked", "good"], () => NOW);
    const gh = createPoolOctokit({ pool });
    const scopes = [
      replyAs(
        "revoked",
        401,
        { "content-type": "application/json; charset=utf-8" },
        { message: "Bad credentials" },
      ),
      replyAs("good", 200, quota(100)),
      replyAs("good", 200, quota(99)),
    ];
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    await gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" });
    expect(scopes.every((s) => s.isDone())).toBe(true);
    expect(pool.describe()[0]?.retired).toBe(true);
  });

  it("fails with GitHub's answer when every token is exhausted, naming no token", async () => {
    const pool = createTokenPool(["secret-one", "secret-two"], () => NOW);
    const gh = createPoolOctokit({ pool });
    replyAs("secret-one", 403, quota(0), { message: "API rate limit exceeded" });
    replyAs("secret-two", 403, quota(0), { message: "API rate limit exceeded" });
    const error: Error & { status?: number } = await gh
      .request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })
      .then(() => new Error("no error"))
      .catch((e: unknown) => e as Error & { status?: number });
    expect(error.status).toBe(403);
    expect(String(error.message)).not.toMatch(/secret-/);
    // Nothing is tried while both are out: the error says when the quota returns.
    await expect(
      gh.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }),
    ).rejects.toThrow(/rate-limited until/);
  });

  it("refuses to write: comments come from the App, never from a pooled account", async () => {
    const gh = createPoolOctokit({ pool: createTokenPool(["tok"], () => NOW) });
    await expect(
      gh.rest.issues.createComment({ owner: "o", repo: "r", issue_number: 1, body: "hi" }),
    ).rejects.toThrow(/only reads/);
  });
});
