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
    // The head files of the first 100 come with the context; the other 900, 100 a query.
    const gh = githubMock()
      .token()
      .context()
      .createComment(9001)
      .listFiles(files)
      .checkRun(7000)
      .sources({}, {}, 9);
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

    const summary = gh.captured.summaries.at(-1) ?? "";
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

describe("a hunk as large as the patch limit admits", () => {
  it("is reviewed, and the key committed beside it is flagged", async () => {
    const app = await createTestApp();
    // 126,500 added blank lines: 253 KB of patch, under the 256 KB limit.
    const blank = {
      filename: "blank.txt",
      status: "added",
      additions: 126_500,
      deletions: 0,
      changes: 126_500,
      patch: `@@ -0,0 +1,126500 @@\n${Array.from({ length: 126_500 }, () => "+").join("\n")}`,
    };
    const keys = {
      filename: "keys.py",
      status: "added",
      additions: 1,
      deletions: 0,
      changes: 1,
      patch: '@@ -0,0 +1 @@\n+AWS_ACCESS_KEY_ID = "AKIAZ7XQ4M2N8P5R3T6V"',
    };
    const gh = githubMock()
      .token()
      .firstReview({ files: [blank, keys] });
    openaiDynamic(() => ({
      summary: "Adds blank lines and a key.",
      findings: [],
      rating: 8,
      rating_reason: "Small.",
      conclusion: "Remove the key.",
    }));

    await app.probot.receive({
      id: "huge-hunk",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await app.idle();

    const review = gh.captured.reviews[0] as { comments: Array<{ path: string; body: string }> };
    expect(review.comments.map((c) => c.path)).toEqual(["keys.py"]);
    expect(review.comments[0]?.body).toContain("Possible secret committed (AWSAccessKeyID)");
    expect(gh.captured.summaries.at(-1)).toContain("| `blank.txt` | added | +126500/−0 |");
  });
});
