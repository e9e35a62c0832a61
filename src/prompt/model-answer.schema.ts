import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "../model/types.js";

/**
 * What a model must answer. Strict structured output needs every property present, so optional
 * values are `nullable` instead of optional.
 * https://platform.openai.com/docs/guides/structured-outputs#all-fields-must-be-required
 */
export const ModelFinding = z.object({
  path: z.string().describe("File path exactly as given in the diff"),
  line: z
    .int()
    .describe(
      "New-file line number: printed before an added line's +, counted from the hunk's @@ +N @@ for others",
    ),
  start_line: z.int().nullable().describe("First line of a multi-line range, or null"),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  message: z.string().describe("What is wrong and why it matters, in one short paragraph"),
  suggestion: z
    .string()
    .nullable()
    .describe(
      "Replacement code for exactly start_line..line (or line), or null when there is no mechanical fix",
    ),
});
export type ModelFinding = z.infer<typeof ModelFinding>;

export const ModelAnswer = z.object({
  summary: z.string().describe("Two or three sentences on what the change does"),
  findings: z.array(ModelFinding),
  rating: z
    .int()
    .min(1)
    .max(10)
    .describe("Quality of the change from 1 (reject) to 10 (exemplary)"),
  rating_reason: z.string().describe("One sentence justifying the rating"),
  conclusion: z
    .string()
    .describe("One short paragraph: is it ready to merge, and what must change first"),
});
export type ModelAnswer = z.infer<typeof ModelAnswer>;
