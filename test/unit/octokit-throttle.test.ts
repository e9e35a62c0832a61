import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import {
  CONTENT_WRITE_INTERVAL_MS,
  CriticOctokit,
  isContentWrite,
} from "../../src/github/octokit.js";
import { GITHUB } from "../helpers/github-nock.js";
import { APP_ID, privateKey } from "../helpers/test-app.js";

function token(scope: nock.Scope, installation: number) {
  scope.post(`/app/installations/${installation}/access_tokens`).reply(201, {
    token: `ghs_token_${installation}`,
    expires_at: "2099-01-01T00:00:00Z",
    permissions: {},
  });
}

describe("github/octokit throttle", () => {
  // Real timers on purpose: this is the pacing itself. Three writes take about 1.6 s.
  it("paces one installation's writes to GitHub's content limit, and no other installation's", async () => {
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      Octokit: CriticOctokit,
      log: pino({ level: "silent" }),
    });
    const scope = nock(GITHUB);
    token(scope, 11);
    token(scope, 22);
    scope.post("/repos/busy/app/issues/1/comments").times(3).reply(201, { id: 1 });
    scope.patch("/repos/busy/app/issues/comments/1").reply(200, { id: 1 });
    scope.post("/repos/quiet/app/issues/1/comments").reply(201, { id: 2 });
    const busy = await probot.auth(11);
    const quiet = await probot.auth(22);
    const comment = (gh: typeof busy, owner: string) =>
      gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo: "app",
        issue_number: 1,
        body: "x",
      });

    const started = performance.now();
    const busyWrites = Promise.all([
      comment(busy, "busy"),
      comment(busy, "busy"),
      comment(busy, "busy"),
      busy.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        owner: "busy",
        repo: "app",
        comment_id: 1,
        body: "y",
      }),
    ]).then(() => performance.now() - started);
    const quietWrite = comment(quiet, "quiet").then(() => performance.now() - started);

    // Four writes, three intervals apart: 75 a minute, under GitHub's 80 (not 1 s or 3 s apart).
    const busyMs = await busyWrites;
    expect(busyMs).toBeGreaterThanOrEqual(3 * CONTENT_WRITE_INTERVAL_MS - 50);
    expect(busyMs).toBeLessThan(3 * CONTENT_WRITE_INTERVAL_MS + 2_000);
    expect(await quietWrite).toBeLessThan(1_500);
  });

  it.each([
    ["/repos/o/r/issues/1/comments", true],
    ["/api/v3/repos/o/r/pulls/1/reviews", true],
    ["/graphql", false],
    // GitHub Enterprise Server: a GraphQL query (a read here) must not wait behind writes.
    ["/api/graphql", false],
  ])("counts %s as a content write: %s", (path, expected) => {
    expect(isContentWrite(path)).toBe(expected);
  });
});
