import { describe, expect, it } from "vitest";
import { analysisKit } from "../../src/config/analysis-kit.js";
import { RepoConfig } from "../../src/config/repo-config.schema.js";
import type { FileTask } from "../../src/engine/analyze/analyze-file.js";
import { createInThreadAnalyzer } from "../../src/engine/analyze/analyzer.js";
import type { ModelPort } from "../../src/engine/model-port.js";
import { reviewChanges } from "../../src/engine/review-changes.js";
import { DEFAULT_PRICES } from "../../src/model/pricing.js";
import { createRedactor } from "../../src/security/redactor.js";
import { batchesOf, createAnalysisPool } from "../../src/workers/analysis-pool.js";
import { FILE, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp } from "../helpers/test-app.js";

const quiet = { warn: () => {} };
const HANGING = new URL("../helpers/hanging-analysis-process.ts", import.meta.url);
/** The id of the pool's first process, once it has one. */
async function processStarted(pool: { pids(): number[] }): Promise<number> {
  for (;;) {
    const [pid] = pool.pids();
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A model that finds nothing. */
const content: ModelPort = {
  hasModel: true,
  review: async () => ({
    result: {
      findings: [],
      summary: "Fine.",
      rating: { score: 10, reason: "Fine." },
      conclusion: "Merge.",
      model: "m",
      dropped: 0,
    },
    served: { id: "openai", displayName: "OpenAI", usesModel: true },
    cached: false,
    failed: [],
  }),
  ask: async () => ({ failed: [] }),
};
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

describe("the analysis pool (child processes)", () => {
  it("finds what the main thread finds: secrets, registered values, static rules", async () => {
    const pool = createAnalysisPool({
      processes: 1,
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
      const inThread = await createInThreadAnalyzer(analysisKit()).analyze(tasks, signal);

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
      processes: 2,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
    });
    try {
      const signal = new AbortController().signal;
      const inPool = await pool.analyze(tasks, signal);
      const inThread = await createInThreadAnalyzer(analysisKit()).analyze(tasks, signal);
      expect(inPool).toEqual(inThread);
      expect(JSON.stringify(inPool[33])).toContain("python-eval");
    } finally {
      await pool.close();
    }
  });

  it("kills a process stuck in a file (as in native code), reports that file alone and goes on", async () => {
    // Files named hang.* block their process synchronously for ever: no JavaScript runs again
    // there, so only killing the process ends it. The budget is the only time the test waits.
    const pool = createAnalysisPool({
      processes: 1,
      timeoutMs: 1_000,
      maxMemoryMb: 256,
      log: quiet,
      module: HANGING,
    });
    try {
      const signal = new AbortController().signal;
      const analysing = pool.analyze(
        [
          task("a.py", ["x = 1"]),
          task("hang.py", ["y = 2"]),
          task("b.py", ['KEY = "AKIAZ7XQ4M2N8P5R3T6V"', "value = eval(input())"]),
        ],
        signal,
      );
      const first = await processStarted(pool);
      const results = await analysing;

      // The batch went over its budget and was tried a file at a time: only hang.py is blamed.
      expect(results[1]).toEqual({ failed: "over 1000 ms" });
      expect(results[0]).toMatchObject({ file: { path: "a.py" }, staticFindings: [] });
      expect(JSON.stringify(results[2])).toContain("python-eval");
      expect(JSON.stringify(results[2])).toContain("AWSAccessKeyID");
      // The stuck process is gone (killed, not left spinning), and the pool serves the next task.
      expect(() => process.kill(first, 0)).toThrow(/ESRCH/);
      const [next] = await pool.analyze([task("c.py", ["value = eval(input())"])], signal);
      expect(JSON.stringify(next)).toContain("python-eval");
    } finally {
      await pool.close();
    }
    expect(pool.pids()).toEqual([]);
  });

  it("lists a file that hangs its process as over the analysis budget and reviews the rest", async () => {
    const pool = createAnalysisPool({
      processes: 1,
      timeoutMs: 1_000,
      maxMemoryMb: 256,
      log: quiet,
      module: HANGING,
    });
    const file = (path: string, line: string) => ({
      path,
      status: "added" as const,
      additions: 1,
      deletions: 0,
      patch: `@@ -0,0 +1 @@\n+${line}`,
    });
    try {
      const result = await reviewChanges(
        {
          analyzer: pool,
          model: content,
          redactor: createRedactor([]),
          prices: DEFAULT_PRICES,
          log: quiet,
        },
        {
          pr: { title: "t", body: "" },
          files: [
            file("a.py", "x = 1"),
            file("hang.py", "y = 2"),
            file("b.py", 'KEY = "AKIAZ7XQ4M2N8P5R3T6V"'),
          ],
          config: RepoConfig.parse({}),
          limits: { maxPatchBytes: 256_000, maxPromptTokens: 60_000, maxRequestTokens: 16_000 },
          signal: new AbortController().signal,
        },
      );

      expect(result.decisions.map((d) => [d.file.path, d.reviewed, d.reason])).toEqual([
        ["a.py", true, undefined],
        ["hang.py", false, "analysis budget exceeded"],
        ["b.py", true, undefined],
      ]);
      expect(result.inline.map((f) => [f.path, f.line])).toEqual([["b.py", 1]]);
      expect(result.notes.join(" ")).toContain("analysis went over its time or memory budget");
    } finally {
      await pool.close();
    }
  });

  it("keeps a process for the next review, and replaces one that grew past its memory bound", async () => {
    const signal = new AbortController().signal;
    // From the sources a process also holds the TypeScript loader: a bound it stays under.
    const kept = createAnalysisPool({
      processes: 1,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
      maxProcessMb: 4_096,
    });
    // Any process is past a 1 MB bound after its first batch.
    const bounded = createAnalysisPool({
      processes: 1,
      timeoutMs: 30_000,
      maxMemoryMb: 256,
      log: quiet,
      maxProcessMb: 1,
    });
    try {
      await kept.analyze([task("a.py", ["x = 1"])], signal);
      const [first] = kept.pids();
      await kept.analyze([task("b.py", ["y = 2"])], signal);
      expect(kept.pids()).toEqual([first]);

      await bounded.analyze([task("a.py", ["x = 1"])], signal);
      const [grown] = bounded.pids();
      // The grown process was ended after its answer; the next batch has a fresh one.
      const [next] = await bounded.analyze([task("c.py", ["value = eval(input())"])], signal);
      expect(JSON.stringify(next)).toContain("python-eval");
      expect(bounded.pids()).not.toContain(grown);
    } finally {
      await kept.close();
      await bounded.close();
    }
  });

  it("rejects the analyses still waiting when it closes, instead of leaving them pending", async () => {
    const pool = createAnalysisPool({
      processes: 1,
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
