import { describe, expect, it } from "vitest";
import { builtInRules } from "../../src/config/built-in-rules.js";
import type { FileTask } from "../../src/engine/analyze/analyze-file.js";
import { createInThreadAnalyzer } from "../../src/engine/analyze/analyzer.js";
import { batchesOf, createAnalysisPool } from "../../src/workers/analysis-pool.js";
import { FILE, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp } from "../helpers/test-app.js";

const quiet = { warn: () => {} };
const task = (path: string, lines: string[], review = true): FileTask => ({
  file: {
    path,
    status: "added",
    additions: lines.length,
    deletions: 0,
    patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`,
  },
  review,
  secrets: ["operator-secret-0123456789"],
  ruleSources: [],
  disabled: [],
  complexityThreshold: 15,
});

describe("the analysis pool (worker threads)", () => {
  it("finds what the main thread finds: secrets, registered values, static rules", async () => {
    const pool = createAnalysisPool({
      threads: 1,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
    });
    const tasks = [
      task("app.py", ['KEY = "AKIAZ7XQ4M2N8P5R3T6V"', "value = eval(input())"]),
      task("notes.txt", ["the operator-secret-0123456789 is here"], false),
    ];
    try {
      const signal = new AbortController().signal;
      const inPool = await pool.analyze(tasks, signal);
      const inThread = await createInThreadAnalyzer(builtInRules()).analyze(tasks, signal);

      expect(inPool).toEqual(inThread);
      expect(JSON.stringify(inPool)).not.toContain("operator-secret-0123456789");
      expect(JSON.stringify(inPool)).toContain("python-eval");
    } finally {
      await pool.close();
    }
  });

  it("sends small files in batches and answers each file in order, as the main thread would", async () => {
    const tasks = Array.from({ length: 40 }, (_, n) =>
      task(`f${n}.py`, [`x${n} = ${n}`, n === 33 ? "value = eval(input())" : "y = 2"]),
    );
    expect(batchesOf(tasks).map((b) => b.length)).toEqual([16, 16, 8]);
    const big = task("big.py", ["z = 1".repeat(60_000)]);
    expect(batchesOf([big, ...tasks.slice(0, 2)]).map((b) => b.length)).toEqual([1, 2]);

    const pool = createAnalysisPool({
      threads: 2,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
    });
    try {
      const signal = new AbortController().signal;
      const inPool = await pool.analyze(tasks, signal);
      const inThread = await createInThreadAnalyzer(builtInRules()).analyze(tasks, signal);
      expect(inPool).toEqual(inThread);
      expect(JSON.stringify(inPool[33])).toContain("python-eval");
    } finally {
      await pool.close();
    }
  });

  it("reports a file over its time budget and goes on with the others", async () => {
    // A thread's first task loads the engine (hundreds of ms): 100 ms is always over budget.
    const pool = createAnalysisPool({ threads: 1, timeoutMs: 100, maxMemoryMb: 256, log: quiet });
    try {
      const signal = new AbortController().signal;
      // A batch over its budget is tried again a file at a time: each is reported on its own.
      const results = await pool.analyze(
        [task("a.py", ["x = 1"]), task("b.py", ["y = 2"])],
        signal,
      );
      expect(results).toEqual([{ failed: "over 100 ms" }, { failed: "over 100 ms" }]);
    } finally {
      await pool.close();
    }
  });

  it("rejects the analyses still waiting when it closes, instead of leaving them pending", async () => {
    const pool = createAnalysisPool({
      threads: 1,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
    });
    const tasks = [1, 2, 3].map((n) => task(`f${n}.py`, [`x${n} = ${n}`]));

    const analysing = pool.analyze(tasks, new AbortController().signal).catch((e: Error) => e);
    await pool.close();

    expect(await analysing).toMatchObject({ message: "[critic] the analysis pool is closing" });
  });

  it("serves a pull request review end to end from the pool", async () => {
    const app = await createTestApp({}, { analysisThreads: 1 });
    const gh = githubMock()
      .token()
      .firstReview({
        files: [
          { ...FILE, patch: '@@ -1,2 +1,4 @@\n a\n b\n+const key = "AKIAZ7XQ4M2N8P5R3T6V";\n+d' },
        ],
      });
    openaiMock([{ answer: modelAnswer([]) }]);
    try {
      await app.probot.receive({
        id: "pool",
        name: "pull_request",
        payload: pullRequestPayload("opened") as never,
      });
      await app.idle();

      const review = gh.captured.reviews[0] as { comments: Array<{ line: number; body: string }> };
      expect(review.comments.map((c) => c.line)).toEqual([3]);
      expect(review.comments[0]?.body).toContain("Possible secret committed (AWSAccessKeyID)");
    } finally {
      await app.close();
    }
  });
});
