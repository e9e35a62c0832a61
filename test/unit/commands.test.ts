import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parse-command.js";
import { createSpendLimiter } from "../../src/commands/spend-limiter.js";
import { parseState, withState } from "../../src/render/markers.js";
import { PAUSED_BANNER, renderPaused } from "../../src/render/render-summary.js";
import { createFakeClock } from "../helpers/fake-clock.js";

describe("commands/parse-command", () => {
  it.each([
    ["/review", { name: "review", full: false }],
    ["  /review full  ", { name: "review", full: true }],
    ["/REVIEW", { name: "review", full: false }],
    ["/ask why is this\nneeded?", { name: "ask", question: "why is this\nneeded?" }],
    ["/pause", { name: "pause" }],
    ["/resume\nthanks", { name: "resume" }],
    ["/review\n\nThanks for the fix!", { name: "review", full: false }],
    ["/config", { name: "config" }],
    ["/help", { name: "help" }],
    ["/approve", { name: "unknown", given: "/approve" }],
    ["/review everything now", { name: "unknown", given: "/review everything" }],
    ["/ask", { name: "unknown", given: "/ask (without a question)" }],
  ])("reads %j", (body, command) => {
    expect(parseCommand(body)).toEqual(command);
  });

  it.each([
    "LGTM",
    "see /usr/bin/env",
    "/usr/bin/env is broken",
    "",
    "> /review (quoted)",
    "please /review",
  ])("ignores %j", (body) => {
    expect(parseCommand(body)).toBeUndefined();
  });
});

describe("commands/spend-limiter", () => {
  it("allows a burst up to the hourly budget, then refills evenly", () => {
    const fake = createFakeClock();
    const limiter = createSpendLimiter({ perHour: 3, now: fake.clock.now });

    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")].every((r) => r.ok)).toBe(true);
    expect(limiter.take("a")).toEqual({ ok: false, retryInSeconds: 1200 });
    expect(limiter.take("b").ok).toBe(true);
    fake.advance(20 * 60_000);
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
  });
});

describe("pause state in the summary", () => {
  it("pauses and resumes, keeping the reviewed head and the rest of the summary", () => {
    const summary =
      '<!-- critic:summary -->\n\n## Critic review\n\n### Rating\n\n**7/10**\n<!-- critic:state {"sha":"abc","version":"0.1.0"} -->';
    const paused = renderPaused(summary, "0.1.0", true);
    const resumed = renderPaused(paused, "0.1.0", false);

    expect(parseState(paused)).toEqual({ sha: "abc", version: "0.1.0", paused: true });
    expect(paused).toContain(PAUSED_BANNER);
    expect(paused).toContain("**7/10**");
    expect(parseState(resumed)).toEqual({ sha: "abc", version: "0.1.0" });
    expect(resumed).not.toContain(PAUSED_BANNER);
    expect(renderPaused(undefined, "0.1.0", true)).toContain(
      "Critic has not reviewed this pull request yet.",
    );
  });

  it("replaces only the last state marker", () => {
    const body =
      'quoted <!-- critic:state {"sha":"x","version":"1"} -->\nreal <!-- critic:state {"sha":"y","version":"1"} -->';
    expect(withState(body, { sha: "z", version: "2" })).toBe(
      'quoted <!-- critic:state {"sha":"x","version":"1"} -->\nreal <!-- critic:state {"sha":"z","version":"2"} -->',
    );
  });
});
