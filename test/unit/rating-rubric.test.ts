import { describe, expect, it } from "vitest";
import { rateByRubric } from "../../src/engine/merge/rating-rubric.js";
import type { Severity } from "../../src/model/types.js";

const findings = (critical: number, warning: number, suggestion = 0) =>
  [
    ...Array<Severity>(critical).fill("critical"),
    ...Array<Severity>(warning).fill("warning"),
    ...Array<Severity>(suggestion).fill("suggestion"),
  ].map((severity) => ({ severity }));

const rate = (critical: number, warning: number, suggestion: number, reviewedLines: number) =>
  rateByRubric(findings(critical, warning, suggestion), { reviewedLines }).score;

describe("engine/merge/rating-rubric", () => {
  // README's table, "Rating without a model": keep the two in step.
  it.each`
    critical | warning | suggestion | lines      | score
    ${0}     | ${0}    | ${0}       | ${0}       | ${10}
    ${0}     | ${0}    | ${2}       | ${100}     | ${10}
    ${0}     | ${1}    | ${2}       | ${100}     | ${9}
    ${0}     | ${3}    | ${0}       | ${200}     | ${7}
    ${0}     | ${3}    | ${0}       | ${3_000}   | ${9}
    ${0}     | ${5}    | ${0}       | ${4_000}   | ${9}
    ${0}     | ${20}   | ${0}       | ${4_000}   | ${5}
    ${0}     | ${12}   | ${8}       | ${10_000}  | ${9}
    ${0}     | ${10}   | ${0}       | ${500}     | ${1}
    ${1}     | ${0}    | ${0}       | ${100}     | ${4}
    ${1}     | ${0}    | ${0}       | ${100_000} | ${4}
    ${1}     | ${8}    | ${0}       | ${100}     | ${2}
    ${2}     | ${0}    | ${0}       | ${5_000}   | ${3}
    ${4}     | ${0}    | ${0}       | ${5_000}   | ${1}
  `(
    "$critical critical, $warning warnings, $suggestion suggestions in $lines lines: $score/10",
    ({ critical, warning, suggestion, lines, score }) => {
      expect(rate(critical, warning, suggestion, lines)).toBe(score);
    },
  );

  it("does not let a large change dilute a critical finding", () => {
    for (const lines of [0, 1_000, 1_000_000]) expect(rate(1, 0, 0, lines)).toBe(4);
  });

  it("stays within 1..10 and never rises with more findings or fewer lines", () => {
    const sizes = [0, 1, 999, 1_000, 4_000, 250_000];
    for (const lines of sizes)
      for (let c = 0; c <= 5; c++)
        for (let w = 0; w <= 40; w += 3) {
          const score = rate(c, w, w, lines);
          expect(score).toBeGreaterThanOrEqual(1);
          expect(score).toBeLessThanOrEqual(10);
          expect(Number.isInteger(score)).toBe(true);
          expect(rate(c + 1, w, w, lines)).toBeLessThanOrEqual(score);
          expect(rate(c, w + 1, w, lines)).toBeLessThanOrEqual(score);
          expect(rate(c, w, w + 1, lines)).toBeLessThanOrEqual(score);
          expect(rate(c, w, w, lines * 2)).toBeGreaterThanOrEqual(score);
        }
  });

  it("treats a nonsensical size as no lines at all", () => {
    for (const lines of [-5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(rate(0, 3, 0, lines)).toBe(7);
  });

  it("says what it counted and that no model judged it", () => {
    expect(rateByRubric(findings(1, 5, 1), { reviewedLines: 4_000 }).reason).toBe(
      "Computed from the static findings (1 critical, 5 warnings, 1 suggestion) in 4,000 reviewed lines by Critic's rubric, not judged by a model.",
    );
  });
});
