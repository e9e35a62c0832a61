import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { countTokens } from "../../src/config/analysis-kit.js";
import { RepoConfig } from "../../src/config/repo-config.schema.js";
import { createInThreadAnalyzer } from "../../src/engine/analyze/analyzer.js";
import type { ModelPort } from "../../src/engine/model-port.js";
import { reviewChanges } from "../../src/engine/review-changes.js";
import { DEFAULT_PRICES } from "../../src/model/pricing.js";
import { createRedactor } from "../../src/security/redactor.js";

const file = (path: string, line: string) => ({
  path,
  status: "added" as const,
  additions: 1,
  deletions: 0,
  patch: `@@ -0,0 +1 @@\n+${line}`,
});

/** A model that finds nothing and rates everything 10/10. */
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

function engine(failing: string, scanFails = false) {
  const inThread = createInThreadAnalyzer({ rules: [], countTokens });
  return {
    // The review of `failing` (its static checks) goes over its budget, and with `scanFails` its
    // secret scan alone too; the others run as usual.
    analyzer: {
      analyze: async (tasks: Parameters<typeof inThread.analyze>[0], signal: AbortSignal) => {
        const done = await inThread.analyze(tasks, signal);
        return done.map((d, i) =>
          tasks[i]?.file.path === failing && (tasks[i]?.review || scanFails)
            ? { failed: "over 30000 ms" }
            : d,
        );
      },
    },
    model: content,
    redactor: createRedactor([]),
    prices: DEFAULT_PRICES,
    log: pino({ level: "silent" }),
  };
}

const params = (files: ReturnType<typeof file>[]) => ({
  pr: { title: "t", body: "" },
  files,
  config: RepoConfig.parse({}),
  limits: { maxPatchBytes: 256_000, maxPromptTokens: 60_000, maxRequestTokens: 16_000 },
  signal: new AbortController().signal,
});

describe("engine/review-changes with a file whose analysis failed", () => {
  it("lists it as over its analysis budget and never counts the review as complete", async () => {
    const result = await reviewChanges(
      engine("evil.ts"),
      params([
        file("a.ts", "export const a = 1;"),
        file("evil.ts", 'const k = "AKIAZ7XQ4M2N8P5R3T6V";'),
      ]),
    );

    expect(result.decisions.find((d) => d.file.path === "evil.ts")).toMatchObject({
      reviewed: false,
      reason: "analysis budget exceeded",
    });
    expect(result.ai).toBe("partial");
    expect(result.notes.join(" ")).toContain(
      "1 file was not reviewed: its analysis went over its time or memory budget (see Found files); it was still scanned for secrets.",
    );
    // The key in it is flagged all the same, on its line.
    expect([...result.inline, ...result.summaryOnly]).toContainEqual(
      expect.objectContaining({ path: "evil.ts", line: 1, source: "secrets" }),
    );
  });

  it("says a file was not scanned either when its scan alone goes over the budget too", async () => {
    const result = await reviewChanges(
      engine("evil.ts", true),
      params([
        file("a.ts", "export const a = 1;"),
        file("evil.ts", 'const k = "AKIAZ7XQ4M2N8P5R3T6V";'),
      ]),
    );

    expect(result.notes.join(" ")).toContain(
      "1 file was not reviewed or scanned: its analysis went over its time or memory budget",
    );
    expect([...result.inline, ...result.summaryOnly].filter((f) => f.path === "evil.ts")).toEqual(
      [],
    );
  });

  it("says so when no file could be analysed, and leaves the gate undecided", async () => {
    const result = await reviewChanges(engine("evil.ts"), params([file("evil.ts", "x")]));

    expect(result.ai).toBe("unavailable");
    expect(result.conclusion).toContain("No file could be reviewed");
  });
});

describe("engine/review-changes with files GitHub sent without a diff", () => {
  const undiffed = (path: string) => ({
    path,
    status: "modified" as const,
    additions: 5_000,
    deletions: 0,
  });

  it("scans those it could read whole, summary-only, and says how many it could not", async () => {
    const asked: string[][] = [];
    const result = await reviewChanges(engine("none"), {
      ...params([file("a.ts", "export const a = 1;")]),
      files: [
        file("a.ts", "export const a = 1;"),
        undiffed("big.env"),
        undiffed("huge.sql"),
        { path: "font.woff2", status: "added" as const, additions: 0, deletions: 0 },
      ],
      loadUndiffed: async (paths: string[]) => {
        asked.push(paths);
        // huge.sql is over the size bound: the loader leaves it out.
        return new Map([["big.env", 'AWS_KEY="AKIAZ7XQ4M2N8P5R3T6V"\n']]);
      },
    });

    expect(asked).toEqual([["big.env", "huge.sql"]]);
    expect(result.summaryOnly).toContainEqual(
      expect.objectContaining({
        path: "big.env",
        line: 1,
        source: "secrets",
        placement: "outside-diff",
      }),
    );
    expect(result.inline.filter((f) => f.path === "big.env")).toEqual([]);
    expect(result.notes).toContain(
      "1 file GitHub sent without a diff could not be scanned for secrets (binary, over 10 MB, or past 20 such files or 20 MB in a review).",
    );
  });
});

describe("engine/review-changes rating", () => {
  it("takes no model rating above the rubric's when Critic's own checks found something critical", async () => {
    const result = await reviewChanges(
      engine("none"),
      params([file("deploy.ts", 'export const key = "AKIAZ7XQ4M2N8P5R3T6V";')]),
    );

    expect(result.rating).toMatchObject({ score: 4, computed: true });
    expect(result.notes).toContain(
      "The model rated this change 10/10, but Critic's own checks found 1 critical issue, so the rating is the rubric's.",
    );
  });

  it("caps it too when an earlier push's critical finding still stands", async () => {
    const result = await reviewChanges(engine("none"), {
      ...params([file("a.ts", "export const a = 1;")]),
      prior: {
        carried: [
          {
            path: "config.ts",
            line: 3,
            severity: "critical" as const,
            category: "security" as const,
            message: "Possible secret committed.",
            inline: true,
          },
        ],
        resolved: [],
      },
    });

    expect(result.rating).toMatchObject({ score: 4, computed: true });
  });

  it("keeps the model's rating when nothing critical was found by Critic's own checks", async () => {
    const result = await reviewChanges(
      engine("none"),
      params([file("a.ts", "export const a = 1;")]),
    );

    expect(result.rating).toMatchObject({ score: 10, computed: false });
  });
});
