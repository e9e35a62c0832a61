import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "../../bench/lib/soak-core.js";

// The short soak: `npm run soak` (200 PRs, the real server as a child process) is run by hand.
describe("fault soak (20 PRs, in process)", () => {
  beforeEach(() => nock.enableNetConnect("127.0.0.1"));
  afterEach(() => nock.disableNetConnect());

  it("gives every PR one review and one summary through model, GitHub and network faults", async () => {
    const report = await runSoak({ prs: 20, seed: 7, mode: "in-process", timeoutMs: 60_000 });

    expect(report.problems, formatSoak(report)).toEqual([]);
    expect(report.prs.filter((t) => t.pushedMidReview)).toHaveLength(2);
    // The faults really happened: a clean soak without them would prove nothing.
    const openaiFaults = Object.values(report.faults.openai).reduce((a, b) => a + b, 0);
    expect(openaiFaults).toBeGreaterThan(0);
    expect(report.faults.github["502"]).toBeGreaterThan(0);
    expect(report.faults.github.secondary).toBe(1);
    expect(report.faults.github["422"]).toBe(1);
  }, 90_000);
});
