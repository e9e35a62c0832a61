import { describe, expect, it } from "vitest";
import { parseState, renderReviewMarker } from "../../src/render/markers.js";
import { renderComment, renderSuggestion } from "../../src/render/render-comment.js";
import {
  MAX_SUMMARY_BYTES,
  renderSummary,
  type SummaryView,
} from "../../src/render/render-summary.js";
import { fingerprint } from "../../src/store/fingerprint.js";

const view: SummaryView = {
  headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  version: "0.1.0",
  files: [
    { file: { path: "src/a.ts", status: "modified", additions: 4, deletions: 1 }, reviewed: true },
    {
      file: { path: "yarn.lock", status: "modified", additions: 9, deletions: 9 },
      reviewed: false,
      reason: "excluded by default (lockfile)",
    },
    {
      file: {
        path: "src/new|name.ts",
        previousPath: "src/old.ts",
        status: "renamed",
        additions: 0,
        deletions: 0,
      },
      reviewed: false,
      reason: "renamed without changes",
    },
  ],
  inline: [
    {
      path: "src/a.ts",
      line: 3,
      severity: "critical",
      category: "security",
      message: "SQL built from user input.",
      source: "openai",
    },
  ],
  summaryOnly: [
    {
      path: "src/a.ts",
      line: 90,
      severity: "warning",
      category: "bug",
      message: "Off by one <!-- sneaky -->.",
      source: "openai",
      placement: "outside-diff",
    },
    {
      path: "src/a.ts",
      line: 4,
      severity: "suggestion",
      category: "style",
      message: "Name it better.",
      source: "openai",
      placement: "over-cap",
    },
  ],
  rating: { score: 4, reason: "One critical problem.", computed: false },
  overview: "Adds a search endpoint.",
  conclusion: "Not ready: parameterise the query.",
  servedBy: "OpenAI `gpt-4.1-mini`",
  usage: [
    {
      provider: "OpenAI",
      model: "gpt-4.1-mini",
      inputTokens: 12345,
      outputTokens: 678,
      costUsd: 0.0060228,
      requests: 2,
      cached: 1,
    },
  ],
  notes: ["OpenAI unavailable (timed out) — reviewed by Gemini `gemini-2.5-flash`."],
};

describe("review/render", () => {
  it("renders the summary with its four sections, footer and hidden state", () => {
    expect(renderSummary(view)).toMatchInlineSnapshot(`
      "<!-- critic:summary -->

      ## Critic review

      > ⚠️ OpenAI unavailable (timed out) — reviewed by Gemini \`gemini-2.5-flash\`.

      Adds a search endpoint.

      ### Found files

      | File | Status | +/− | Review |
      | --- | --- | --- | --- |
      | \`src/a.ts\` | modified | +4/−1 | reviewed |
      | \`yarn.lock\` | modified | +9/−9 | skipped: excluded by default (lockfile) |
      | \`src/old.ts\` → \`src/new\\|name.ts\` | renamed | +0/−0 | skipped: renamed without changes |

      ### Downsides and comments

      **🔴 Critical (1)**
      - \`src/a.ts:3\` (security) SQL built from user input. _(inline)_

      **💡 Suggestion (1)**
      - \`src/a.ts:4\` (style) Name it better. _(not posted inline: comment limit)_

      **Outside the diff (1)**
      - \`src/a.ts:90\` (bug) Off by one &lt;!-- sneaky --&gt;. _(warning)_

      ### Rating

      **4/10** — One critical problem.

      ### Conclusion

      Not ready: parameterise the query.

      ---

      <sub>Reviewed \`ec26c3e\` by OpenAI \`gpt-4.1-mini\` · OpenAI gpt-4.1-mini: 12,345 tokens in / 678 out (≈ $0.0060), 2 requests, 1 from cache · Critic 0.1.0</sub>
      <!-- critic:findings W3sicCI6InNyYy9hLnRzIiwibCI6MywicyI6ImNyaXRpY2FsIiwiYyI6InNlY3VyaXR5IiwibSI6IlNRTCBidWlsdCBmcm9tIHVzZXIgaW5wdXQuIiwiaSI6dHJ1ZX0seyJwIjoic3JjL2EudHMiLCJsIjo5MCwicyI6Indhcm5pbmciLCJjIjoiYnVnIiwibSI6Ik9mZiBieSBvbmUgPCEtLSBzbmVha3kgLS0+LiIsImkiOmZhbHNlfSx7InAiOiJzcmMvYS50cyIsImwiOjQsInMiOiJzdWdnZXN0aW9uIiwiYyI6InN0eWxlIiwibSI6Ik5hbWUgaXQgYmV0dGVyLiIsImkiOmZhbHNlfV0= -->
      <!-- critic:state {"sha":"ec26c3e57ca3a959ca5aad62de7213c562f8c821","version":"0.1.0"} -->"
    `);
  });

  it("says how many input tokens the provider served from its prompt cache, when it did", () => {
    const usage = view.usage.map((u) => ({ ...u, cachedInputTokens: 10_240 }));
    expect(renderSummary({ ...view, usage })).toContain(
      "OpenAI gpt-4.1-mini: 12,345 tokens in (10,240 cached) / 678 out (≈ $0.0060), 2 requests",
    );
    const none = view.usage.map((u) => ({ ...u, cachedInputTokens: 0 }));
    expect(renderSummary({ ...view, usage: none })).toContain("12,345 tokens in / 678 out");
  });

  /** The sections every summary must keep, whatever its size. */
  function expectComplete(body: string) {
    expect(Buffer.byteLength(body, "utf8")).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(body.length).toBeLessThanOrEqual(65_536);
    for (const heading of [
      "### Found files",
      "### Downsides and comments",
      "### Rating",
      "### Conclusion",
    ])
      expect(body).toContain(heading);
    expect(body).toContain(`**${view.rating?.score}/10**`);
    expect(body).toContain(view.conclusion);
    expect(parseState(body)?.sha).toBe(view.headSha);
  }

  it("folds a long list of findings and keeps every section and the state marker", () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ...(view.summaryOnly[0] as (typeof view.summaryOnly)[number]),
      line: i + 100,
      message: `problem ${"x".repeat(60)} ${i}`,
    }));
    const body = renderSummary({ ...view, summaryOnly: many });

    expectComplete(body);
    expect(body).toContain("| `src/a.ts` | modified | +4/−1 | reviewed |");
    expect(body).toMatch(/- … and \d+ more, not listed to fit GitHub's comment limit/);
    expect(body).toContain("**Outside the diff (3000)**");
  });

  it("counts 1,000 files per directory and status instead of listing them", () => {
    const files = Array.from({ length: 1000 }, (_, i) => ({
      file: {
        path: `packages/p${i % 7}/src/module-${i}-${"n".repeat(80)}.ts`,
        status: i % 10 === 0 ? ("added" as const) : ("modified" as const),
        additions: 3,
        deletions: 1,
      },
      reviewed: i % 4 !== 0,
      ...(i % 4 === 0 ? { reason: "budget (over the review's token limit)" } : {}),
    }));
    const body = renderSummary({ ...view, files });

    expectComplete(body);
    expect(body).toContain("1000 files (750 reviewed), counted by directory and status");
    expect(body).toContain("| `packages/p0` | modified |");
    expect(body).toContain("SQL built from user input.");
  });

  it("fits whatever the view holds: huge paths, messages, overview and notes", () => {
    const path = (i: number) => `${"deep/".repeat(800)}f${i}.ts`;
    const body = renderSummary({
      ...view,
      files: Array.from({ length: 2000 }, (_, i) => ({
        file: { path: path(i), status: "added" as const, additions: 1, deletions: 0 },
        reviewed: true,
      })),
      inline: Array.from({ length: 500 }, (_, i) => ({
        ...(view.inline[0] as (typeof view.inline)[number]),
        path: path(i),
        message: `é${"😀".repeat(5_000)}`,
      })),
      overview: "ü".repeat(200_000),
      notes: Array.from({ length: 100 }, () => "n".repeat(50_000)),
    });

    expectComplete(body);
  });

  it("makes suggestion fences longer than any backticks inside", () => {
    expect(renderSuggestion("const a = 1;\n")).toBe("```suggestion\nconst a = 1;\n```");
    expect(renderSuggestion("```js\ncode\n```")).toBe("````suggestion\n```js\ncode\n```\n````");
    expect(renderSuggestion("")).toBe("```suggestion\n```");
  });

  it("renders an inline comment with severity, category, a moved-line note and a suggestion", () => {
    const body = renderComment({
      path: "a",
      line: 5,
      severity: "warning",
      category: "bug",
      message: "Fix it.",
      suggestion: "x",
      movedFrom: 7,
      source: "s",
    });

    expect(body).toBe(
      `**🟠 Warning** · bug\n\nFix it.\n\n_(Line 7 is outside the diff; this comment was placed on the nearest changed line.)_\n\n\`\`\`suggestion\nx\n\`\`\`\n\n<!-- critic:finding {"r":"s","c":"bug","f":"${fingerprint({ path: "a", category: "bug", source: "s", message: "Fix it." })}"} -->`,
    );
  });

  it("reads back only well-formed state markers", () => {
    expect(parseState('<!-- critic:state {"sha":"abc","version":"1"} -->')).toEqual({
      sha: "abc",
      version: "1",
    });
    expect(parseState("<!-- critic:state {broken} -->")).toBeUndefined();
    expect(parseState("no marker")).toBeUndefined();
    expect(renderReviewMarker("abc")).toBe("<!-- critic:review sha=abc -->");
  });
});
