import { readFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { parseUnifiedDiff } from "../../src/diff/parse-unified-diff.js";
import { textFromHunks } from "../../src/engine/static/run-static-checks.js";
import { githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp } from "../helpers/test-app.js";

async function pullFiles(fixture: string) {
  const diff = await readFile(new URL(`../fixtures/static/${fixture}`, import.meta.url), "utf8");
  const files = parseUnifiedDiff(diff);
  const listed = files.map((f) => ({
    filename: f.path,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    patch: f.patch,
  }));
  // These hunks start at line 1 and cover the whole file, so the head file is their new side.
  const heads = Object.fromEntries(
    files.map((f) => [
      f.path,
      `${textFromHunks({ path: f.path, status: f.status, hunks: parsePatch(f.patch ?? "") })}\n`,
    ]),
  );
  return { listed, heads };
}

async function reviewApp(fixture: string, rules: Record<string, string> = {}, config?: string) {
  const app = await createTestApp({ OPENAI_API_KEY: "" });
  const { listed, heads } = await pullFiles(fixture);
  const gh = githubMock()
    .token()
    .context({ config: config, texts: heads, rules: rules })
    .createComment(1)
    .listFiles(listed)
    .checkRun();
  return { app, gh };
}

async function receive(app: Awaited<ReturnType<typeof createTestApp>>) {
  await app.probot.receive({
    id: "d-static",
    name: "pull_request",
    payload: pullRequestPayload("opened") as never,
  });
  await app.queue.onIdle();
}

type Posted = { comments: Array<{ path: string; line: number; body: string }> };

describe("static review (no model)", () => {
  it("flags exactly the AWS key, the SQL concatenation, the eval and the debugger, inline", async () => {
    const { app, gh } = await reviewApp("with-problems.diff");
    gh.createReview();

    await receive(app);

    const comments = (gh.captured.reviews[0] as Posted).comments;
    expect(comments.map((c) => [c.path, c.line, c.body.split("\n")[0]])).toEqual([
      ["app/settings.py", 4, "**🔴 Critical** · security"],
      ["app/users.py", 3, "**🔴 Critical** · security"],
      ["src/calc.ts", 3, "**🔴 Critical** · security"],
      ["src/calc.ts", 2, "**🟠 Warning** · maintainability"],
    ]);
    expect(comments[0]?.body).toContain("Possible secret committed");
    expect(comments[1]?.body).toContain("SQL is built from strings");
    expect(comments[2]?.body).toContain("`eval` or `new Function`");
    expect(comments[3]?.body).toContain("```suggestion\n```");
    // The files were asked for at the head commit, the rules from the default branch.
    expect(gh.captured.graphql[0]?.variables).toMatchObject({
      p0: "ec26c3e57ca3a959ca5aad62de7213c562f8c821:app/settings.py",
      rules: "HEAD:.github/critic/rules",
    });
  });

  it("posts one comment where the model and a static rule flag the same line for the same reason", async () => {
    const app = await createTestApp();
    const { listed, heads } = await pullFiles("with-problems.diff");
    const gh = githubMock()
      .token()
      .context({ texts: heads })
      .createComment(1)
      .listFiles(listed)
      .checkRun()
      .createReview();
    openaiMock([
      {
        answer: modelAnswer([
          {
            path: "src/calc.ts",
            line: 3,
            severity: "critical",
            category: "security",
            message: "Never eval user input.",
          },
          {
            path: "src/calc.ts",
            line: 3,
            severity: "warning",
            category: "bug",
            message: "Returns a string for some inputs.",
          },
        ]),
      },
    ]);

    await receive(app);

    const onLine3 = (gh.captured.reviews[0] as Posted).comments.filter(
      (c) => c.path === "src/calc.ts" && c.line === 3,
    );
    expect(onLine3.map((c) => c.body.split("\n")[0])).toEqual([
      "**🔴 Critical** · security",
      "**🟠 Warning** · bug",
    ]);
    expect(onLine3[0]?.body).toContain("`eval` or `new Function`");
  });

  it("finds nothing in the same files without those constructs", async () => {
    const { app, gh } = await reviewApp("without-problems.diff");

    await receive(app);

    expect(gh.captured.reviews).toEqual([]);
    expect(gh.captured.summaries.at(-1)).toContain("No problems found.");
  });

  it("applies the repository's own rules, reports a broken one, and honours static.disable", async () => {
    const rule =
      "id: no-number-cast\nlanguage: typescript\nseverity: warning\nmessage: Avoid Number().\nnote: Use parseInt with a radix.\nmetadata: { category: style }\nrule: { pattern: Number($X) }\n";
    const { app, gh } = await reviewApp(
      "without-problems.diff",
      { "house.yml": rule, "broken.yml": "id: [oops" },
      "static:\n  disable: [no-number-cast-unused]\n",
    );
    gh.createReview();

    await receive(app);

    const comments = (gh.captured.reviews[0] as Posted).comments;
    // Line 3 calls Number.isFinite, which the pattern Number($X) rightly does not match.
    expect(comments.map((c) => [c.path, c.line])).toEqual([["src/calc.ts", 2]]);
    expect(comments[0]?.body).toContain("Avoid Number(). Use parseInt with a radix.");
    expect(gh.captured.summaries.at(-1)).toContain(
      "Repository rule skipped: .github/critic/rules/broken.yml: invalid YAML",
    );

    const disabled = await reviewApp(
      "with-problems.diff",
      {},
      "static:\n  disable: [no-eval, debugger-statement]\n",
    );
    disabled.gh.createReview();
    await receive(disabled.app);
    expect((disabled.gh.captured.reviews[0] as Posted).comments.map((c) => c.path)).toEqual([
      "app/settings.py",
      "app/users.py",
    ]);
  });

  it("shows the same findings from the CLI on a local diff without a model", async () => {
    const stdout = new PassThrough();
    let out = "";
    stdout.on("data", (c) => (out += c));
    const stdin = new PassThrough();
    stdin.end();

    const code = await main(
      ["review", "--diff", "test/fixtures/static/with-problems.diff", "--format", "json"],
      { stdout, stderr: new PassThrough(), stdin, cwd: process.cwd(), env: {} },
    );

    expect(code).toBe(0);
    const json = JSON.parse(out) as {
      inline: Array<{ path: string; line: number; source: string }>;
    };
    expect(json.inline.map((f) => [f.path, f.line, f.source])).toEqual([
      ["app/settings.py", 4, "secrets"],
      ["app/users.py", 3, "sql-injection-python"],
      ["src/calc.ts", 3, "no-eval"],
      ["src/calc.ts", 2, "debugger-statement"],
    ]);
  });
});
