import { describe, expect, it } from "vitest";
import { botComment, compareMock, FILE, githubMock, HEAD_SHA } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { prCommentPayload, pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const NEXT = "b".repeat(40);
const PUSHED = { ...FILE, patch: "@@ -3,2 +3,3 @@\n c\n d\n+e" };

async function receive(app: TestApp, id: string, payload: unknown) {
  await app.probot.receive({ id, name: "pull_request", payload: payload as never });
  await app.idle();
}

describe("a daily model budget per installation", () => {
  it("reviews with static checks only once it is used up, says why, and shows spend in /metrics", async () => {
    // The fake model reports 1,500 tokens per request: one review uses the whole budget.
    const app = await createTestApp({ CRITIC_DAILY_BUDGET_TOKENS: "1000" });
    const first = githubMock().token().firstReview();
    openaiMock([
      { answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "Problem on c." }]) },
    ]);

    await receive(app, "budget-1", pullRequestPayload("opened"));

    const summary = first.captured.summaries.at(-1) ?? "";
    expect(summary).toContain("OpenAI");
    // The next push: no model request is mocked, so one made would fail the test.
    // The installation token minted for the first review is still good.
    const second = githubMock()
      .context({ comments: [botComment(9001, summary)] })
      .updateComment(9001)
      .listFiles([FILE])
      .checkRun();
    compareMock(second.scope, HEAD_SHA, NEXT, { status: "ahead", files: [PUSHED] });
    const base = pullRequestPayload("synchronize");
    await receive(
      app,
      "budget-2",
      pullRequestPayload("synchronize", { head: { ...base.pull_request.head, sha: NEXT } }),
    );

    const capped = second.captured.summaries.at(-1) ?? "";
    expect(capped).toContain(
      "AI review unavailable (Model budget: this installation used its 1,000 model tokens for today (UTC)) — static checks only.",
    );
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toContain('critic_installation_spend_tokens{installation="1"} 1500');
    expect(metrics).toContain("critic_installation_budget_tokens 1000");
  });

  it("counts what /ask spends against the same budget", async () => {
    const app = await createTestApp({ CRITIC_DAILY_BUDGET_TOKENS: "1000" });
    const gh = githubMock()
      .token()
      .permission("maintainer", "write")
      .reaction(7, "eyes")
      .config()
      .getPullFull()
      .listFiles([FILE])
      .createComment(2)
      .reaction(7, "rocket");
    openaiMock([{ text: "It adds two lines." }]);
    const payload = prCommentPayload("/ask what does this do?");
    (payload.comment as Record<string, unknown>).id = 7;

    await app.probot.receive({ id: "ask", name: "issue_comment", payload: payload as never });
    await app.idle();
    expect(gh.captured.comments[0]?.body).toContain("It adds two lines.");
    // The answer's 1,500 tokens used the budget up: the review that follows asks no model.
    const review = githubMock().firstReview({ review: false });
    await receive(app, "after-ask", pullRequestPayload("opened"));

    expect(review.captured.summaries.at(-1)).toContain("Model budget: this installation used its");
  });
});
