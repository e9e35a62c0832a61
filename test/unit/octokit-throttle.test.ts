import { Redis } from "ioredis";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CriticOctokit, countsAsWrite } from "../../src/github/octokit.js";
import {
  createMemoryWriteStore,
  createRedisWriteStore,
  createWritePacer,
  useWritePacer,
  type WritePacer,
} from "../../src/github/write-pacer.js";
import {
  GITHUB_WRITE_LIMITS,
  nextWriteAt,
  parseWriteLimits,
  recentStarts,
} from "../../src/github/write-window.js";
import { createFakeClock } from "../helpers/fake-clock.js";
import { GITHUB } from "../helpers/github-nock.js";
import { redisIsUp } from "../helpers/redis-up.js";
import { APP_ID, privateKey } from "../helpers/test-app.js";

// GitHub's windows, with the second Critic keeps in hand for arrival jitter.
const MINUTE = 61_000;
const HOUR = 3_601_000;

describe("github/write-window", () => {
  it("lets writes go at once while the minute and the hour have room", () => {
    expect(nextWriteAt([], 1_000, GITHUB_WRITE_LIMITS)).toBe(1_000);
    const starts = Array.from({ length: 79 }, (_, i) => i);
    expect(nextWriteAt(starts, 100, GITHUB_WRITE_LIMITS)).toBe(100);
  });

  it("holds the 81st write of a minute until the first leaves it", () => {
    const starts = Array.from({ length: 80 }, (_, i) => 1_000 + i);
    expect(nextWriteAt(starts, 2_000, GITHUB_WRITE_LIMITS)).toBe(1_000 + MINUTE);
  });

  it("holds the 501st write of an hour until the first leaves it, whatever the minute allows", () => {
    // 500 writes spread over 50 minutes: never 80 in one minute.
    const starts = Array.from({ length: 500 }, (_, i) => i * 6_000);
    expect(nextWriteAt(starts, 3_000_000, GITHUB_WRITE_LIMITS)).toBe(HOUR);
    expect(HOUR).toBeGreaterThan(3_600_000);
  });

  it("keeps only the starts of the last hour", () => {
    expect(recentStarts([0, 10, HOUR, HOUR + 5], HOUR + 10)).toEqual([HOUR, HOUR + 5]);
  });

  it("never lets a sliding minute hold more than 80 writes of a backlog", () => {
    const starts: number[] = [];
    for (let i = 0; i < 600; i++)
      starts.push(nextWriteAt(recentStarts(starts, 0), 0, GITHUB_WRITE_LIMITS));
    for (const [i, start] of starts.entries()) {
      // GitHub's own windows: 60 s and an hour.
      const inMinute = starts.filter((s) => s > start - 60_000 && s <= start).length;
      const inHour = starts.filter((s) => s > start - 3_600_000 && s <= start).length;
      expect(inMinute, `write ${i}`).toBeLessThanOrEqual(80);
      expect(inHour, `write ${i}`).toBeLessThanOrEqual(500);
    }
    // The backlog runs at the ceiling: the first 80 at once, then the hour's 500 by 6 minutes.
    expect(starts[79]).toBe(0);
    expect(starts[80]).toBe(MINUTE);
    expect(starts[499]).toBe(6 * MINUTE);
    // 80 a minute is GitHub's ceiling; the margin costs about one write in sixty.
    expect(starts[500]).toBe(HOUR);
  });
});

describe("GITHUB_WRITE_LIMITS", () => {
  it("reads counts per span, and refuses what is not one", () => {
    expect(parseWriteLimits("80/6s, 500/360s")).toEqual([
      { count: 80, spanMs: 6_000 },
      { count: 500, spanMs: 360_000 },
    ]);
    expect(parseWriteLimits("80/1m,500/1h")).toEqual(GITHUB_WRITE_LIMITS);
    for (const bad of ["", "80", "80/60", "0/60s", "80/500ms", "80/60s;500/1h", "-1/60s"])
      expect(typeof parseWriteLimits(bad)).toBe("string");
  });

  it("paces shortened windows with a margin to match, so an hour's ceiling shows in a minute", () => {
    const limits = [
      { count: 80, spanMs: 6_000 },
      { count: 500, spanMs: 360_000 },
    ];
    const starts: number[] = [];
    for (let i = 0; i < 501; i++) starts.push(nextWriteAt(starts, 0, limits));
    // The margin stays a second: arrival jitter does not shrink with the span.
    expect(starts[80]).toBe(7_000);
    expect(starts[500]).toBe(361_000);
  });
});

describe("github/write-pacer", () => {
  it("runs an installation's writes one at a time, and waits only when the window is full", async () => {
    const fake = createFakeClock(0);
    const pacer = createWritePacer({
      store: createMemoryWriteStore(),
      clock: fake.clock,
      limits: [
        { count: 2, spanMs: 60_000 },
        { count: 100, spanMs: 3_600_000 },
      ],
    });
    const order: string[] = [];
    let running = 0;
    const write = (name: string) =>
      pacer.run("7", async () => {
        running += 1;
        expect(running).toBe(1);
        await Promise.resolve();
        order.push(`${name}@${fake.clock.now()}`);
        running -= 1;
      });
    await Promise.all([
      write("a"),
      write("b"),
      write("c"),
      pacer.run("8", async () => order.push("other")),
    ]);

    expect(order).toEqual(["other", "a@0", "b@0", `c@${MINUTE}`]);
    expect(fake.sleeps).toEqual([MINUTE]);
  });

  it("goes on after a write that fails", async () => {
    const pacer = createWritePacer({
      store: createMemoryWriteStore(),
      clock: createFakeClock(0).clock,
      limits: GITHUB_WRITE_LIMITS,
    });
    const failed = pacer.run("1", async () => {
      throw new Error("422");
    });
    await expect(failed).rejects.toThrow("422");
    await expect(pacer.run("1", async () => "next")).resolves.toBe("next");
  });
});

const redisUp = await redisIsUp("the shared write window test is");

describe.skipIf(!redisUp)("github/write-pacer in Redis", () => {
  it("shares one window between processes", async () => {
    const a = new Redis("redis://127.0.0.1:6379");
    const b = new Redis("redis://127.0.0.1:6379");
    const prefix = `critic-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    try {
      const limits = [
        { count: 3, spanMs: 60_000 },
        { count: 10, spanMs: 3_600_000 },
      ];
      const one = createRedisWriteStore(a, prefix);
      const two = createRedisWriteStore(b, prefix);
      const starts = [
        await one.reserve("9", 1_000, limits),
        await two.reserve("9", 1_000, limits),
        await one.reserve("9", 1_000, limits),
        await two.reserve("9", 1_000, limits),
        await one.reserve("other", 1_000, limits),
      ];
      expect(starts).toEqual([1_000, 1_000, 1_000, 1_000 + MINUTE, 1_000]);
      expect(await a.pttl(`${prefix}:writes:9`)).toBeGreaterThan(HOUR);
    } finally {
      await a.del(`${prefix}:writes:9`, `${prefix}:writes:other`);
      a.disconnect();
      b.disconnect();
    }
  });
});

function token(scope: nock.Scope, installation: number) {
  scope.post(`/app/installations/${installation}/access_tokens`).reply(201, {
    token: `ghs_token_${installation}`,
    expires_at: "2099-01-01T00:00:00Z",
    permissions: {},
  });
}

describe("github/octokit pacing", () => {
  let previous: WritePacer | undefined;
  let fake = createFakeClock(0);
  beforeEach(() => {
    fake = createFakeClock(0);
    previous = useWritePacer(
      createWritePacer({
        store: createMemoryWriteStore(),
        clock: fake.clock,
        limits: GITHUB_WRITE_LIMITS,
      }),
    );
  });
  afterEach(() => {
    if (previous) useWritePacer(previous);
  });

  it("sends a review's writes back to back, and holds an installation's 81st write of a minute", async () => {
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      Octokit: CriticOctokit,
      log: pino({ level: "silent" }),
    });
    const scope = nock(GITHUB);
    token(scope, 11);
    token(scope, 22);
    const written: Array<{ installation: string; at: number }> = [];
    scope
      .post(/\/repos\/(busy|quiet)\/app\/issues\/1\/comments/)
      .times(82)
      .reply(function () {
        written.push({ installation: this.req.path.split("/")[2] ?? "", at: fake.clock.now() });
        return [201, { id: 1 }];
      });
    scope.get("/repos/busy/app/issues/1/comments").reply(200, []);
    const busy = await probot.auth(11);
    const quiet = await probot.auth(22);
    const comment = (gh: typeof busy, owner: string) =>
      gh.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo: "app",
        issue_number: 1,
        body: "x",
      });

    await Promise.all([
      ...Array.from({ length: 81 }, () => comment(busy, "busy")),
      comment(quiet, "quiet"),
      // A read never waits behind writes.
      busy.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner: "busy",
        repo: "app",
        issue_number: 1,
      }),
    ]);

    const busyAt = written.filter((w) => w.installation === "busy").map((w) => w.at);
    expect(busyAt.slice(0, 80).every((at) => at === 0)).toBe(true);
    expect(busyAt[80]).toBe(MINUTE);
    expect(written.find((w) => w.installation === "quiet")?.at).toBe(0);
    expect(fake.sleeps).toEqual([MINUTE]);
  });

  it.each([
    [{ method: "POST", url: "/repos/o/r/issues/1/comments" }, true],
    [{ method: "PATCH", url: "/api/v3/repos/o/r/check-runs/1" }, true],
    [{ method: "GET", url: "/repos/o/r/pulls/1" }, false],
    // Minting an installation token happens inside the write that needs it.
    [{ method: "POST", url: "/app/installations/11/access_tokens" }, false],
    [{ method: "POST", url: "/api/v3/app/installations/11/access_tokens" }, false],
    [{ method: "POST", url: "/graphql", query: "query { viewer { login } }" }, false],
    // GitHub Enterprise Server's path; a mutation creates content and counts.
    [{ method: "POST", url: "/api/graphql", query: "  mutation { resolveReviewThread }" }, true],
  ])("counts %o as a write: %s", (request, expected) => {
    expect(countsAsWrite(request)).toBe(expected);
  });
});
