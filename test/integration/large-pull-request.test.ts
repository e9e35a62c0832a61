import { describe, expect, it } from "vitest";
import { githubMock } from "../helpers/github-nock.js";
import { openaiDynamic } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp } from "../helpers/test-app.js";

/** A pull request of `n` small TypeScript files, spread over a few packages. */
function manyFiles(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    filename: `packages/p${i % 9}/src/feature-${i}/index-${"x".repeat(40)}.ts`,
    status: i % 10 === 0 ? "modified" : "added",
    additions: 2,
    deletions: 0,
    changes: 2,
    patch: `@@ -0,0 +1,2 @@\n+export const value${i} = ${i};\n+export const twice${i} = value${i} * 2;`,
  }));
}

describe("a pull request of 1,000 files", () => {
  it("gets a summary within GitHub's limit with every section, Found files counted by directory", async () => {
    const app = await createTestApp();
    const files = manyFiles(1000);
    const gh = githubMock()
      .token()
      .config()
      .listComments()
      .createComment(9001)
      .listFiles(files)
      .checkRun(7000)
      .sources({}, {}, 20)
      .getPull()
      .updateComment(9001);
    const llm = openaiDynamic(() => ({
      summary: "Adds many small modules.",
      findings: [],
      rating: 7,
      rating_reason: "Repetitive but harmless.",
      conclusion: "Fine to merge.",
    }));

    await app.probot.receive({
      id: "large",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await app.idle();

    const summary = gh.captured.updates.at(-1)?.body ?? "";
    expect(summary.length).toBeLessThanOrEqual(65_536);
    expect(summary).toContain("### Found files");
    expect(summary).toMatch(/1000 files \(\d+ reviewed\), counted by directory and status/);
    expect(summary).toContain("| `packages/p0` | added |");
    expect(summary).toContain("### Downsides and comments");
    expect(summary).toMatch(/### Rating\n\n\*\*\d+\/10\*\*/);
    expect(summary).toContain("### Conclusion");
    expect(summary).toContain("<!-- critic:state");
    expect(llm.requests.length).toBeGreaterThan(1);
  });
});
