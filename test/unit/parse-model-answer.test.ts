import { describe, expect, it } from "vitest";
import { extractJson, parseModelAnswer } from "../../src/prompt/parse-model-answer.js";

const answer = {
  summary: "s",
  findings: [
    {
      path: "./a.ts",
      line: 3,
      start_line: null,
      severity: "critical",
      category: "bug",
      message: " m ",
      suggestion: null,
    },
  ],
  rating: 7,
  rating_reason: "r",
  conclusion: "c",
};

describe("review/prompt/parse-model-answer", () => {
  it.each([
    ["plain JSON", JSON.stringify(answer)],
    [
      "a ```json fence",
      `Here you go:\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`\nThanks!`,
    ],
    ["prose around the object", `Sure. ${JSON.stringify(answer)} Hope this helps.`],
  ])("reads %s", (_label, text) => {
    expect(parseModelAnswer(text, "openai")).toEqual({
      summary: "s",
      findings: [
        {
          path: "a.ts",
          line: 3,
          startLine: undefined,
          severity: "critical",
          category: "bug",
          message: "m",
          suggestion: undefined,
          source: "openai",
        },
      ],
      rating: { score: 7, reason: "r" },
      conclusion: "c",
      dropped: 0,
    });
  });

  it("drops malformed findings one by one and counts them", () => {
    const text = JSON.stringify({
      ...answer,
      findings: [
        answer.findings[0],
        { path: "a.ts", line: "3", severity: "critical", category: "bug", message: "m" },
        {
          path: "a.ts",
          line: 0,
          start_line: null,
          severity: "warning",
          category: "bug",
          message: "zero",
          suggestion: null,
        },
        {
          path: "a.ts",
          line: 4,
          start_line: 2,
          severity: "blocker",
          category: "bug",
          message: "x",
          suggestion: null,
        },
        "not an object",
      ],
    });
    const parsed = parseModelAnswer(text, "openai");

    expect(parsed?.findings).toHaveLength(1);
    expect(parsed?.dropped).toBe(4);
  });

  it("keeps the findings when the rating is missing or out of range", () => {
    const parsed = parseModelAnswer(JSON.stringify({ ...answer, rating: 42 }), "openai");

    expect(parsed?.rating).toBeUndefined();
    expect(parsed?.findings).toHaveLength(1);
  });

  it("reads a multi-line range and ignores a start_line equal to the line", () => {
    const f = { ...answer.findings[0], start_line: 1, suggestion: "a\nb\nc" };
    const same = { ...answer.findings[0], line: 9, start_line: 9 };
    const parsed = parseModelAnswer(JSON.stringify({ ...answer, findings: [f, same] }), "openai");

    expect(parsed?.findings.map((x) => [x.startLine, x.line, x.suggestion])).toEqual([
      [1, 3, "a\nb\nc"],
      [undefined, 9, undefined],
    ]);
  });

  it.each([
    ["prose", "I cannot review this."],
    ["an array", "[1, 2]"],
    ["truncated JSON", JSON.stringify(answer).slice(0, 40)],
    ["an object with nothing usable", '{"foo": 1}'],
    ["empty text", ""],
  ])("returns undefined for %s", (_label, text) => {
    expect(parseModelAnswer(text, "openai")).toBeUndefined();
  });

  it("extracts the object from a fence even when prose holds stray braces", () => {
    expect(extractJson('Use {x} here:\n```\n{"a": 1}\n```')).toEqual({ a: 1 });
  });
});
