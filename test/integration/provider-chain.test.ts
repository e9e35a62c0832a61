import { describe, expect, it } from "vitest";
import { FILE, githubMock, PATCH } from "../helpers/github-nock.js";
import {
  GEMINI_BASE,
  geminiMock,
  modelAnswer,
  openaiDynamic,
  openaiMock,
} from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const GEMINI_ENV = {
  GEMINI_API_KEY: "gemini-key-for-tests-0123456789",
  GEMINI_BASE_URL: GEMINI_BASE,
  GEMINI_MODEL: "gemini-test",
};
const answer = modelAnswer([{ path: "src/x.ts", line: 3, message: "Problem on c." }], 5);

/**
 * One review's calls. The first (`opened`) creates the summary; a later push in the same app
 * edits that one comment (the app remembers it, whatever GitHub's list shows).
 */
async function review(files = [FILE], action = "opened") {
  const gh = githubMock().listFiles(files).context().checkRun();
  if (action === "opened") gh.token().createComment(1);
  else gh.updateComment(1);
  return gh;
}

async function receive(app: TestApp, action = "opened") {
  await app.probot.receive({
    id: `d-${Math.random()}`,
    name: "pull_request",
    payload: pullRequestPayload(action) as never,
  });
  await app.queue.onIdle();
}

describe("provider chain through a review", () => {
  it("falls back to Gemini when OpenAI keeps answering 500, within the retry budget", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = (await review()).createReview();
    const openai = openaiMock([{ status: 500 }, { status: 502 }, { status: 503 }]);
    const gemini = geminiMock([{ answer }]);

    await receive(app);

    expect(openai.requests).toHaveLength(3);
    expect(gemini.requests).toHaveLength(1);
    expect(app.clock.sleeps).toEqual([500, 1000]);
    const summary = gh.captured.summaries[0] ?? "";
    expect(summary).toContain(
      "> ⚠️ OpenAI unavailable (server error) — reviewed by Gemini `gemini-test`.",
    );
    expect(summary).toContain(
      "by Gemini `gemini-test` · Gemini gemini-test: 900 tokens in / 100 out, 1 request",
    );
    expect(summary).toContain("**5/10**");
  });

  it("sends a repository's model setting to OpenAI only, so Gemini still serves as the fallback", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = githubMock()
      .token()
      .firstReview({ config: "model: gpt-4o\n", comment: 1, review: false })
      .createReview();
    const openai = openaiMock([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const gemini = geminiMock([{ answer }]);

    await receive(app);

    expect(openai.requests.map((r) => r.model)).toEqual(["gpt-4o", "gpt-4o", "gpt-4o"]);
    expect(gemini.requests).toHaveLength(1);
    expect(gh.captured.summaries[0]).toContain("reviewed by Gemini `gemini-test`");
  });

  it("posts a static review, and says so, when both providers are down", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = await review();
    openaiMock([{ status: 500 }, { status: 500 }, { status: 500 }]);
    geminiMock([{ status: 503 }, { status: 503 }, { status: 503 }]);

    await receive(app);

    const summary = gh.captured.summaries[0] ?? "";
    expect(summary).toContain(
      "AI review unavailable (OpenAI: server error; Gemini: server error) — static checks only.",
    );
    expect(summary).toContain("Computed from the static findings");
  });

  it("waits as long as retry-after asks when that is under the cap", async () => {
    const app = await createTestApp();
    const gh = (await review()).createReview();
    openaiMock([{ status: 429, headers: { "retry-after": "7" } }, { answer }]);

    await receive(app);

    expect(app.clock.sleeps).toEqual([7000]);
    expect(gh.captured.summaries[0]).toContain("by OpenAI");
  });

  it("moves to the next provider at once when retry-after is longer than the cap", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = (await review()).createReview();
    openaiMock([{ status: 429, headers: { "retry-after": "3600" } }]);
    geminiMock([{ answer }]);

    await receive(app);

    expect(app.clock.sleeps).toEqual([]);
    expect(gh.captured.summaries[0]).toContain(
      "OpenAI unavailable (rate limited) — reviewed by Gemini",
    );
  });

  it("times out a hanging provider per attempt, retries, then falls back", async () => {
    const app = await createTestApp({
      ...GEMINI_ENV,
      CRITIC_LLM_TIMEOUT_MS: "100",
      CRITIC_LLM_RETRIES: "1",
    });
    const gh = (await review()).createReview();
    openaiMock([
      { answer, delayMs: 5_000 },
      { answer, delayMs: 5_000 },
    ]);
    geminiMock([{ answer }]);

    await receive(app);

    expect(gh.captured.summaries[0]).toContain(
      "OpenAI unavailable (timed out) — reviewed by Gemini",
    );
  });

  it("retries a refused connection, then falls back", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = (await review()).createReview();
    const openai = openaiMock([]);
    openai.scope
      .post("/v1/chat/completions")
      .times(3)
      .replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" });
    geminiMock([{ answer }]);

    await receive(app);

    expect(app.clock.sleeps).toEqual([500, 1000]);
    expect(gh.captured.summaries[0]).toContain(
      "OpenAI unavailable (unreachable) — reviewed by Gemini",
    );
  });

  it("asks once more for JSON after a schema-invalid answer, and uses the repaired answer", async () => {
    const app = await createTestApp();
    const gh = (await review()).createReview();
    const openai = openaiMock([{ text: '{"verdict": "looks fine"}' }, { answer }]);

    await receive(app);

    expect(openai.requests).toHaveLength(2);
    expect(openai.requests[1]?.messages.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect(openai.requests[1]?.messages[3]?.content).toContain(
      "Answer again with only that JSON object",
    );
    expect(gh.captured.summaries[0]).toContain("**5/10**");
  });

  it("treats Gemini's MAX_TOKENS finish as a truncated answer, not a result", async () => {
    const app = await createTestApp({ ...GEMINI_ENV, OPENAI_API_KEY: "" });
    const gh = await review();
    geminiMock([{ text: JSON.stringify(answer).slice(0, 60), finish: "MAX_TOKENS" }]);

    await receive(app);

    expect(gh.captured.summaries[0]).toContain(
      "AI review unavailable (Gemini: answer was cut off) — static checks only.",
    );
  });

  it("goes straight to the next provider on a 401, without retrying", async () => {
    const app = await createTestApp(GEMINI_ENV);
    const gh = (await review()).createReview();
    const openai = openaiMock([{ status: 401, body: { error: { message: "Incorrect API key" } } }]);
    geminiMock([{ answer }]);

    await receive(app);

    expect(openai.requests).toHaveLength(1);
    expect(app.clock.sleeps).toEqual([]);
    expect(gh.captured.summaries[0]).toContain(
      "OpenAI unavailable (rejected the API key) — reviewed by Gemini",
    );
  });

  it("falls back to JSON mode when the server rejects json_schema, and remembers it", async () => {
    const app = await createTestApp();
    const gh = (await review()).createReview();
    const openai = openaiMock([
      {
        status: 400,
        body: { error: { message: "response_format json_schema is not supported by this model" } },
      },
      { answer },
    ]);

    await receive(app);

    expect(openai.requests.map((r) => (r.response_format as { type: string }).type)).toEqual([
      "json_schema",
      "json_object",
    ]);
    expect(gh.captured.summaries[0]).toContain("**5/10**");
  });

  it("opens OpenAI's circuit after three failed reviews, skips it without a call, and probes after the cool-down", async () => {
    const app = await createTestApp({ ...GEMINI_ENV, CRITIC_LLM_RETRIES: "0" });
    // Each push changes the diff, so no answer can come from the cache.
    const push = (i: number) => [{ ...FILE, patch: PATCH.replace("+d", `+d${i}`) }];
    for (let i = 0; i < 3; i++) {
      (await review(push(i), i === 0 ? "opened" : "synchronize")).createReview();
      openaiMock([{ status: 500 }]);
      geminiMock([
        { answer: modelAnswer([{ path: "src/x.ts", line: 3, message: `Finding ${i}.` }]) },
      ]);
      await receive(app, i === 0 ? "opened" : "synchronize");
    }

    const skipped = (await review(push(3), "synchronize")).createReview();
    geminiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 4, message: "Fourth." }]) }]);
    await receive(app, "synchronize");

    expect(skipped.captured.summaries[0]).toContain(
      "OpenAI unavailable (circuit open) — reviewed by Gemini",
    );
    expect((await app.health()).providers).toEqual({
      openai: "open",
      gemini: "closed",
      static: "closed",
    });
    expect(app.logs.join("")).toContain('"from":"closed","to":"open"');

    app.clock.advance(60_000);
    const probed = (await review(push(4), "synchronize")).createReview();
    openaiMock([{ answer: modelAnswer([{ path: "src/x.ts", line: 4, message: "Probe." }]) }]);
    await receive(app, "synchronize");

    expect(probed.captured.summaries[0]).toContain("by OpenAI");
    expect((await app.health()).providers.openai).toBe("closed");
    expect(app.logs.join("")).toContain('"from":"half-open","to":"closed"');
  });

  it("serves a repeated prompt from the cache without calling the model", async () => {
    const app = await createTestApp();
    (await review()).createReview();
    const openai = openaiMock([{ answer }]);
    await receive(app);

    const again = (await review([FILE], "synchronize")).createReview();
    await receive(app, "synchronize");

    expect(openai.requests).toHaveLength(1);
    expect(again.captured.summaries[0]).toContain(
      "OpenAI gpt-test-2026: 0 tokens in / 0 out, 1 request, 1 from cache",
    );
  });

  it("reviews a 400-file PR in budget-sized requests and lists what did not fit", async () => {
    const app = await createTestApp({
      CRITIC_MAX_REQUEST_TOKENS: "6000",
      CRITIC_MAX_PROMPT_TOKENS: "10000",
    });
    const files = Array.from({ length: 400 }, (_, i) => ({
      filename: `src/m${String(i).padStart(3, "0")}.ts`,
      status: "added",
      additions: 3,
      deletions: 0,
      changes: 3,
      patch: `@@ -0,0 +1,3 @@\n+export const a${i} = ${i};\n+export const b${i} = a${i} * 2;\n+export const c${i} = b${i} + 1;`,
    }));
    const gh = githubMock()
      .token()
      .listFiles(files)
      // 400 files: 100 head files read with the context, the other 300 in three requests of 100.
      .context()
      .sources({}, {}, 3)
      .checkRun()
      .createReview()
      .createComment(1);
    // Each request is rated by how many requests came before it: 9, 8, 7…; the lowest must stand.
    const openai = openaiDynamic((request) => {
      const first = /^### (\S+)/m.exec(request.messages[1]?.content ?? "")?.[1] ?? "";
      return modelAnswer(
        [{ path: first, line: 1, message: `First file of a part.` }],
        9 - openai.requests.length + 1,
      );
    });

    await receive(app);

    const headFiles = gh.captured.graphql.map(
      (r) => Object.keys(r.variables).filter((name) => /^p\d+$/.test(name)).length,
    );
    expect(headFiles).toEqual([100, 100, 100, 100]);
    const sent = openai.requests.map((r) => r.messages[1]?.content.match(/^### /gm)?.length ?? 0);
    expect(openai.requests.length).toBeGreaterThan(1);
    expect(sent.reduce((a, b) => a + b, 0)).toBeLessThan(400);
    const summary = gh.captured.summaries[0] ?? "";
    const skipped = summary.match(/skipped: budget/g)?.length ?? 0;
    expect(skipped + sent.reduce((a, b) => a + b, 0)).toBe(400);
    expect(summary).toContain(
      "files were not sent to a model: the review's token budget was used up",
    );
    expect(summary).toContain(`**${10 - openai.requests.length}/10**`);
    expect(summary.match(/First file of a part\./g)).toHaveLength(openai.requests.length);
    // The overview speaks for every part, counted from the merged findings.
    expect(summary).toContain(
      `Reviewed in ${openai.requests.length} parts; across all of them: 0 critical findings, ${openai.requests.length} warnings, 0 suggestions.`,
    );
  });

  it("never sends a secret to Gemini either", async () => {
    const app = await createTestApp({ ...GEMINI_ENV, OPENAI_API_KEY: "" });
    const patch =
      '@@ -0,0 +1,2 @@\n+const slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";\n+export { slack };';
    (
      await review([
        { filename: "a.js", status: "added", additions: 2, deletions: 0, changes: 2, patch },
      ])
    ).createReview();
    const gemini = geminiMock([{ answer: modelAnswer([]) }]);

    await receive(app);

    expect(JSON.stringify(gemini.requests)).not.toContain("AbCdEfGhIjKlMnOpQrStUvWx");
    expect(JSON.stringify(gemini.requests)).toContain("[REDACTED]");
  });
});
