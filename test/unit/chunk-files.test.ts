import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { countTokens as countText } from "../../src/config/analysis-kit.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { parseRanks, tokenCounter } from "../../src/engine/analyze/count-tokens.js";
import { chunkFiles } from "../../src/engine/pack/chunk-files.js";
import { estimateCost } from "../../src/model/pricing.js";
import type { ReviewFile } from "../../src/model/types.js";
import { renderFileForPrompt } from "../../src/prompt/build-prompt.js";

const file = (path: string, addedLines: number, hunks = 1): ReviewFile => ({
  path,
  status: "modified",
  hunks: Array.from({ length: hunks }, (_, h) =>
    parsePatch(
      `@@ -${h * 100 + 1},0 +${h * 100 + 1},${addedLines} @@\n${Array.from({ length: addedLines }, (_, i) => `+const value${h}_${i} = compute(${i}, "${path}");`).join("\n")}`,
    ),
  ).flat(),
});

describe("review/stages/chunk-files", () => {
  it("packs a generated 400-file PR into few requests, each within the request budget", () => {
    const files = Array.from({ length: 400 }, (_, i) => file(`src/module-${i}.ts`, 5));
    const { chunks, overBudget, tokens } = chunkFiles(files, {
      maxRequestTokens: 8_000,
      maxReviewTokens: 1_000_000,
    });

    expect(overBudget).toEqual([]);
    expect(chunks.flatMap((c) => c.files.map((f) => f.path))).toEqual(files.map((f) => f.path));
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(8_000);
    // Packed, not one request per file: each request is more than half full except the last.
    const minimum = Math.ceil(tokens / 8_000);
    expect(chunks.length).toBeLessThanOrEqual(minimum + 1);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("lists files past the review budget as over budget, whole, and keeps the smaller ones after", () => {
    const files = [file("a.ts", 40), file("huge.ts", 2000), file("b.ts", 40)];
    const { chunks, overBudget } = chunkFiles(files, {
      maxRequestTokens: 4_000,
      maxReviewTokens: 5_000,
    });

    expect(overBudget.map((f) => f.path)).toEqual(["huge.ts"]);
    expect(chunks.flatMap((c) => c.files.map((f) => f.path))).toEqual(["a.ts", "b.ts"]);
  });

  it("splits a file larger than one request at hunk boundaries", () => {
    const big = file("big.ts", 60, 6);
    const { chunks } = chunkFiles([big], { maxRequestTokens: 2_000, maxReviewTokens: 1_000_000 });

    expect(chunks.length).toBeGreaterThan(1);
    const hunks = chunks.flatMap((c) => c.files.flatMap((f) => f.hunks));
    expect(hunks).toEqual(big.hunks);
    for (const c of chunks) expect(c.files.every((f) => f.path === "big.ts")).toBe(true);
  });

  it("splits a single hunk larger than one request at line boundaries, keeping every line number", () => {
    const big = file("one-hunk.ts", 1500);
    const { chunks } = chunkFiles([big], { maxRequestTokens: 3_000, maxReviewTokens: 1_000_000 });
    const lines = chunks.flatMap((c) => c.files.flatMap((f) => f.hunks.flatMap((h) => h.lines)));

    expect(chunks.length).toBeGreaterThan(4);
    expect(lines.map((l) => l.newLine)).toEqual(big.hunks[0]?.lines.map((l) => l.newLine));
    const second = chunks[1]?.files[0];
    expect(second && renderFileForPrompt(second)).toMatch(
      /^### one-hunk\.ts\n@@ \+\d+ @@\n\d+\+const/,
    );
  });

  it("uses each line's counted tokens, and estimates only what was not counted", () => {
    const counted: ReviewFile = {
      path: "a.ts",
      status: "added",
      hunks: parsePatch("@@ -0,0 +1,2 @@\n+const a = 1;\n+const b = 2;").map((h) => ({
        ...h,
        lines: h.lines.map((l) => ({ ...l, tokens: 1_000 })),
      })),
    };
    const { chunks, tokens } = chunkFiles([counted], {
      maxRequestTokens: 10_000,
      maxReviewTokens: 10_000,
    });
    expect(chunks).toHaveLength(1);
    // Two lines of 1,000 tokens and a newline each, plus the estimated headers.
    expect(tokens).toBeGreaterThan(2_002);
    expect(tokens).toBeLessThan(2_050);
  });
});

describe("engine/analyze/count-tokens", () => {
  it("counts the special-token text in untrusted diffs as text", () => {
    expect(countText("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("counts a 200 KB single word in pieces, close to the count of its parts", () => {
    const word = "a1b2c3d4".repeat(25_000);
    const piece = countText(word.slice(0, 2_000));
    const whole = countText(word);
    expect(whole).toBeGreaterThanOrEqual(piece * 100 - 100);
    expect(whole).toBeLessThanOrEqual(piece * 100 + 100);
  });

  it("reads the same vocabulary from the data file as the package's own module holds", async () => {
    const { default: bundled } = await import("gpt-tokenizer/bpeRanks/o200k_base");
    const ranks = parseRanks(
      readFileSync(
        createRequire(import.meta.url).resolve("gpt-tokenizer/data/o200k_base.tiktoken"),
        "latin1",
      ),
    );
    expect(ranks.length).toBe(bundled.length);
    // Element by element, holes included: texts where the bytes are UTF-8, byte arrays elsewhere.
    const differing = bundled.findIndex(
      (want, i) => JSON.stringify(ranks[i]) !== JSON.stringify(want),
    );
    expect(differing).toBe(-1);
    expect(ranks.some((r) => Array.isArray(r))).toBe(true);
  });

  it("counts code, prose, emoji and bytes that are not UTF-8 as the package's module does", async () => {
    const { countTokens } = await import("gpt-tokenizer/encoding/o200k_base");
    for (const text of [
      'export const x = await fetch(base + "/api");\n',
      "Ünïcödé ☃ naïve café 日本語のテキスト 🚀🔥 emoji ZWJ 👩‍👩‍👧",
      "\uFFFD\u0000\u0001 lone surrogate \uD800 end",
      "    indented\ttabs\r\nwindows\n",
    ])
      expect(countText(text)).toBe(countTokens(text, { disallowedSpecial: new Set() }));
  });

  it("reads the vocabulary once, on the first count", () => {
    let reads = 0;
    const count = tokenCounter(() => {
      reads++;
      return "YQ== 0\nYg== 1\nYWI= 2";
    });
    expect(reads).toBe(0);
    expect(count("ab")).toBe(1);
    expect(count("abab")).toBe(2);
    expect(reads).toBe(1);
  });

  it("reads the vocabulary's lines whatever they end with, and skips lines without a rank", () => {
    const ranks = parseRanks("YQ== 0\r\nYg== 1\n\ngarbage\n/w== 2");
    expect(ranks[0]).toBe("a");
    expect(ranks[1]).toBe("b");
    expect(ranks[2]).toEqual([255]);
  });
});

describe("providers/pricing", () => {
  const prices = {
    "gpt-4.1-mini": { input: 0.4, output: 1.6 },
    "gpt-4.1": { input: 2, output: 8 },
  };

  it("prices a dated model by its longest listed prefix", () => {
    expect(
      estimateCost(
        "gpt-4.1-mini-2025-04-14",
        { inputTokens: 1_000_000, outputTokens: 500_000 },
        prices,
      ),
    ).toBeCloseTo(1.2);
    expect(estimateCost("gpt-4.1", { inputTokens: 1_000, outputTokens: 0 }, prices)).toBeCloseTo(
      0.002,
    );
  });

  it("gives no estimate for an unknown model", () => {
    expect(estimateCost("llama3", { inputTokens: 1, outputTokens: 1 }, prices)).toBeUndefined();
  });
});
