import { describe, expect, it } from "vitest";
import { renderFindings, renderState } from "../../src/render/markers.js";
import { botComment, compareMock, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiDynamic, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const LAST = "a".repeat(40);
const NEXT = "b".repeat(40);
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
// This push only rewrote line 4 of x.ts ("d" → "d2").
const X_PUSH = {
  filename: "src/x.ts",
  status: "modified",
  additions: 1,
  deletions: 1,
  changes: 2,
  patch: "@@ -2,3 +2,3 @@\n B\n c\n-d\n+d2",
};

const previousSummary = [
  "<!-- critic:summary -->\n\n## Critic review\n\nold",
  renderFindings([
    { p: "src/x.ts", l: 3, s: "warning", c: "bug", m: "Problem on c.", i: true },
    { p: "src/x.ts", l: 4, s: "suggestion", c: "style", m: "Rename d.", i: true },
    { p: "src/y.ts", l: 1, s: "suggestion", c: "style", m: "Export y.", i: false },
  ]),
  renderState({ sha: LAST, version: "0.1.0" }),
].join("\n");

async function push(app: TestApp, sha = NEXT) {
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

describe("incremental review", () => {
  it("reviews only what changed since the last review, carries earlier findings and marks fixed ones resolved", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context({ comments: [botComment(77, previousSummary)] })
      .updateComment(77)
      .listFiles([X_PR, Y_PR])
      .checkRun()
      .createReview();
    compareMock(gh.scope, LAST, NEXT, { status: "ahead", files: [X_PUSH] });
    const llm = openaiMock([
      {
        answer: modelAnswer([
          { path: "src/x.ts", line: 3, message: "Problem on c." },
          { path: "src/x.ts", line: 4, message: "d2 is unused." },
        ]),
      },
    ]);

    await push(app);

    const prompt = llm.requests[0]?.messages[1]?.content ?? "";
    expect(prompt).toContain("4+d2");
    expect(prompt).not.toContain("src/y.ts");
    // "Problem on c." was posted before: not again.
    expect(
      (gh.captured.reviews[0] as { comments: Array<{ line: number; body: string }> }).comments.map(
        (c) => c.line,
      ),
    ).toEqual([4]);
    const summary = gh.captured.summaries.at(-1) ?? "";
    expect(summary).toContain("Reviewed the changes since `aaaaaaa` (1 file)");
    expect(summary).toContain(
      "| `src/y.ts` | added | +1/−0 | skipped: no changes since the last review |",
    );
    expect(summary).toContain("- `src/y.ts:1` (style) Export y. _(from an earlier review)_");
    expect(summary).toContain("- `src/x.ts:3` (bug) Problem on c. _(from an earlier review)_");
    expect(summary).toContain(
      "**✅ Resolved since the last review (1)**\n- ~~`src/x.ts:4` (style) Rename d.~~",
    );
    expect(summary).toContain(`"sha":"${NEXT}"`);
  });

  it.each([
    [
      "a force-push (compare diverged)",
      { status: "diverged", files: [] as Array<Record<string, unknown>> },
    ],
    ["a collected commit (compare 404)", 404 as const],
  ])("reviews the whole PR again after %s, and says so", async (_label, reply) => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context({ comments: [botComment(77, previousSummary)] })
      .updateComment(77)
      .listFiles([X_PR, Y_PR])
      .checkRun();
    compareMock(gh.scope, LAST, NEXT, reply);
    const llm = openaiMock([{ answer: modelAnswer([]) }]);

    await push(app);

    expect(llm.requests[0]?.messages[1]?.content).toContain("src/y.ts");
    expect(gh.captured.summaries.at(-1)).toContain(
      "Reviewed the whole pull request again: the last reviewed commit `aaaaaaa` is no longer part of this branch (force-push or rebase).",
    );
    expect(gh.captured.summaries.at(-1)).not.toContain("from an earlier review");
  });

  it("reviews only the last of five quick pushes", async () => {
    const app = await createTestApp();
    const heads = ["1", "2", "3", "4", "5"].map((c) => c.repeat(40));
    // The first push's review is cancelled after its model call: it never wrote a summary, so
    // the last push's review creates the one summary.
    const gh = githubMock()
      .token()
      .listFiles([X_PR])
      .context()
      .checkRun()
      .listFiles([X_PR])
      .context()
      .checkRun()
      .createReview()
      .createComment(1);
    let pushed = false;
    openaiDynamic(() => {
      if (!pushed) {
        pushed = true;
        for (const sha of heads.slice(1)) {
          const base = pullRequestPayload("synchronize");
          void app.probot.receive({
            id: `burst-${sha}`,
            name: "pull_request",
            payload: pullRequestPayload("synchronize", {
              head: { ...base.pull_request.head, sha },
            }) as never,
          });
        }
      }
      return modelAnswer([{ path: "src/x.ts", line: 4, message: "Look at d2." }]);
    });

    await push(app, heads[0]);
    await new Promise((r) => setTimeout(r, 20));
    await app.idle();

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.reviews[0]?.commit_id).toBe(heads[4]);
  });

  it("handles a redelivered webhook once", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .firstReview({ files: [X_PR], comment: 1 });
    openaiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 4, message: "m" }]) }]);
    const delivery = {
      id: "same-delivery",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    };

    await app.probot.receive(delivery as never);
    await app.probot.receive(delivery as never);
    await app.idle();

    expect(gh.captured.reviews).toHaveLength(1);
    expect(app.logs.join("")).toContain("delivery already handled");
  });
});
