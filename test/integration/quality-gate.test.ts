import { describe, expect, it } from "vitest";
import { FILE, githubMock, HEAD_SHA } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

async function receive(app: TestApp) {
  await app.probot.receive({
    id: `delivery-${Math.random()}`,
    name: "pull_request",
    payload: pullRequestPayload("opened") as never,
  });
  await app.queue.onIdle();
}

const critical = (line = 3) =>
  modelAnswer(
    [
      {
        path: "src/x.ts",
        line,
        severity: "critical",
        category: "security",
        message: "SQL built from input.",
      },
    ],
    3,
  );

describe("quality gate: the Critic check run", () => {
  it("fails the Critic check on a critical finding when gate.fail_on is critical", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .firstReview({ config: "gate:\n  fail_on: critical\n", comment: 1 });
    openaiMock([{ answer: critical() }]);

    await receive(app);

    expect(gh.captured.checkRuns).toEqual([
      {
        name: "Critic",
        head_sha: HEAD_SHA,
        status: "in_progress",
        output: { title: "Reviewing…", summary: "Critic is reviewing `ec26c3e`." },
      },
    ]);
    expect(gh.captured.checkUpdates).toHaveLength(1);
    const done = gh.captured.checkUpdates[0]?.body;
    expect(done).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(done?.output?.title).toBe(
      "Gate failed · Rating 3/10 · 1 critical, 0 warnings, 0 suggestions",
    );
    expect(done?.output?.summary).toMatch(
      /^\*\*Quality gate failed:\*\* 1 critical finding \(`fail_on: critical`\)\.\n\n## Critic review/,
    );
    // The same sections as the summary comment, without its hidden markers.
    for (const section of ["### Found files", "### Downsides and comments", "### Rating"])
      expect(done?.output?.summary).toContain(section);
    expect(done?.output?.summary).not.toContain("<!--");
    expect(done?.output?.annotations).toEqual([
      {
        path: "src/x.ts",
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "🔴 Critical · security",
        message: "SQL built from input.",
      },
    ]);
    // The review stays a comment by default; the summary says the gate failed.
    expect(gh.captured.reviews[0]?.event).toBe("COMMENT");
    expect(gh.captured.summaries.at(-1)).toContain(
      "> ⚠️ Quality gate failed: 1 critical finding (`fail_on: critical`).",
    );
  });

  it("passes the check with the default gate whatever was found", async () => {
    const app = await createTestApp();
    const gh = githubMock().token().firstReview({ comment: 1 });
    openaiMock([{ answer: critical() }]);

    await receive(app);

    expect(gh.captured.checkUpdates[0]?.body).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "Rating 3/10 · 1 critical, 0 warnings, 0 suggestions" },
    });
    expect(gh.captured.checkUpdates[0]?.body.output?.summary).toMatch(
      /^The quality gate is off \(`gate` in `\.github\/critic\.yml`\); this check only reports\./,
    );
    expect(gh.captured.summaries.at(-1)).not.toContain("Quality gate");
  });

  it("requests changes when the gate fails and review_event is request_changes, even with nothing inline", async () => {
    const app = await createTestApp();
    const gh = githubMock().token().firstReview({
      config: "gate: { fail_on: critical }\nreview_event: request_changes\n",
      comment: 1,
    });
    // Line 40 is outside the diff: the finding is listed in the summary, not inline.
    openaiMock([{ answer: critical(40) }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(1);
    const review = gh.captured.reviews[0] as { event: string; body: string; comments: unknown[] };
    expect(review.event).toBe("REQUEST_CHANGES");
    expect(review.comments).toEqual([]);
    expect(review.body).toMatch(
      /^\*\*Critic requests changes:\*\* the quality gate failed \(1 critical finding \(`fail_on: critical`\)\)\./,
    );
    expect(review.body).toContain(`<!-- critic:review sha=${HEAD_SHA} -->`);
    expect(gh.captured.checkUpdates[0]?.body.conclusion).toBe("failure");
  });

  it("dismisses its earlier change request once the gate passes", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context({ config: "gate: { fail_on: critical }\nreview_event: request_changes\n" })
      .createComment(1)
      .listFiles([FILE])
      .checkRun(7000)
      .listReviews([
        {
          id: 31,
          state: "CHANGES_REQUESTED",
          body: "**Critic requests changes:** …\n\n<!-- critic:review sha=aaaaaaa -->",
          user: { login: "critic[bot]", type: "Bot" },
        },
        {
          id: 32,
          state: "CHANGES_REQUESTED",
          body: "Please rename this. <!-- critic:review sha=aaaaaaa -->",
          user: { login: "octocat", type: "User" },
        },
        {
          id: 33,
          state: "COMMENTED",
          body: "Critic left 1 inline comment. <!-- critic:review sha=bbbbbbb -->",
          user: { login: "critic[bot]", type: "Bot" },
        },
      ])
      .dismissReview(31);
    openaiMock([{ answer: modelAnswer([], 9) }]);

    await receive(app);

    expect(gh.captured.reviews).toEqual([]);
    expect(gh.captured.dismissals).toEqual([
      { id: 31, message: "The quality gate passes on ec26c3e." },
    ]);
    expect(gh.captured.checkUpdates[0]?.body.conclusion).toBe("success");
  });

  it("is neutral when every AI provider is down and static checks alone cannot decide the gate", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .firstReview({ config: "gate:\n  fail_on: warning\n", comment: 1, review: false });
    openaiMock([{ status: 500 }, { status: 500 }, { status: 500 }]);

    await receive(app);

    expect(gh.captured.summaries.at(-1)).toContain("static checks only");
    expect(gh.captured.checkUpdates[0]?.body).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      output: { title: "Gate not decided · Rating 10/10 · 0 critical, 0 warnings, 0 suggestions" },
    });
    expect(gh.captured.checkUpdates[0]?.body.output?.summary).toMatch(
      /^\*\*Quality gate not decided:\*\* every AI provider failed/,
    );
  });

  it("judges static findings when no AI provider is configured", async () => {
    const app = await createTestApp({ OPENAI_API_KEY: "" });
    const gh = githubMock()
      .token()
      .context({ config: "gate:\n  fail_on: critical\n" })
      .createComment(1)
      .listFiles([
        {
          ...FILE,
          filename: "src/config.js",
          patch:
            '@@ -0,0 +1,2 @@\n+const token = "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";\n+export { token };',
        },
      ])
      .checkRun(7000)
      .createReview();

    await receive(app);

    const done = gh.captured.checkUpdates[0]?.body;
    expect(done?.conclusion).toBe("failure");
    // The secret is masked in the check run as everywhere else.
    expect(JSON.stringify(done)).not.toContain("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");
    expect(done?.output?.annotations?.[0]).toMatchObject({
      path: "src/config.js",
      start_line: 1,
      annotation_level: "failure",
    });
  });

  it("sends 120 findings as annotations in 3 requests, and the comment cap does not apply", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context()
      .createComment(1)
      .listFiles([FILE])
      .createCheckRun(7000)
      .updateCheckRun(7000, 3)
      .createReview();
    const findings = Array.from({ length: 120 }, (_, i) => ({
      path: "src/x.ts",
      line: 3 + (i % 2),
      message: `Problem number ${i}.`,
    }));
    openaiMock([{ answer: modelAnswer(findings, 2) }]);

    await receive(app);

    expect(gh.captured.reviews[0]?.comments).toHaveLength(25);
    const batches = gh.captured.checkUpdates.map((u) => u.body);
    expect(batches.map((b) => b.output?.annotations?.length)).toEqual([50, 50, 20]);
    expect(batches.map((b) => b.conclusion)).toEqual(["success", undefined, undefined]);
    expect(new Set(batches.map((b) => b.output?.title))).toEqual(
      new Set(["Rating 2/10 · 0 critical, 120 warnings, 0 suggestions"]),
    );
    const messages = batches.flatMap((b) => b.output?.annotations?.map((a) => a.message) ?? []);
    expect(new Set(messages).size).toBe(120);
  });

  it("still reviews when the App may not write checks (403), without touching the check again", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context({ config: "gate:\n  fail_on: critical\n" })
      .createComment(1)
      .listFiles([FILE])
      .createCheckRun(7000, 403)
      .createReview();
    openaiMock([{ answer: critical() }]);

    await receive(app);

    expect(gh.captured.reviews).toHaveLength(1);
    expect(gh.captured.summaries.at(-1)).toContain("Quality gate failed");
    expect(gh.captured.checkUpdates).toEqual([]);
    expect(app.logs.join("")).toContain("could not create the check run; reviewing without it");
  });

  it("completes the check without annotations when GitHub refuses them, so it never hangs", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .context({ config: "gate:\n  fail_on: critical\n" })
      .createComment(1)
      .listFiles([FILE])
      .createCheckRun(7000)
      .updateCheckRun(7000, 1, 422)
      .updateCheckRun(7000)
      .createReview();
    openaiMock([{ answer: critical() }]);

    await receive(app);

    const [refused, retried] = gh.captured.checkUpdates.map((u) => u.body);
    expect(refused?.output?.annotations).toHaveLength(1);
    expect(retried).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(retried?.output?.annotations).toBeUndefined();
    expect(app.logs.join("")).toContain("could not complete the check run");
  });

  it("ignores a finding on a file the pull request does not have: no gate trip, no annotation", async () => {
    const app = await createTestApp();
    const gh = githubMock()
      .token()
      .firstReview({ config: "gate:\n  fail_on: critical\n", comment: 1, review: false });
    openaiMock([
      {
        answer: modelAnswer(
          [
            {
              path: "docs/not-in-pr.md",
              line: 9,
              severity: "critical",
              category: "bug",
              message: "Invented.",
            },
          ],
          8,
        ),
      },
    ]);

    await receive(app);

    const done = gh.captured.checkUpdates[0]?.body;
    expect(done).toMatchObject({ status: "completed", conclusion: "success" });
    expect(done?.output?.annotations).toBeUndefined();
  });

  it("does not lift its change requests when the gate is only neutral (every AI provider down)", async () => {
    const app = await createTestApp();
    // No review listing and no dismissal: strict nock fails the test on any call not scripted.
    const gh = githubMock().token().firstReview({
      config: "gate:\n  fail_on: warning\nreview_event: request_changes\n",
      comment: 1,
      review: false,
    });
    openaiMock([{ status: 500 }, { status: 500 }, { status: 500 }]);

    await receive(app);

    expect(gh.captured.checkUpdates[0]?.body).toMatchObject({ conclusion: "neutral" });
    expect(gh.captured.dismissals).toEqual([]);
  });
});
