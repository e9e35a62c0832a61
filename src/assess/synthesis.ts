import { z } from "zod";
import type { Finding } from "../model/types.js";
import { extractJson } from "../prompt/parse-model-answer.js";

export const CANDIDATE_LEVELS = ["junior", "middle", "senior"] as const;
export type CandidateLevel = (typeof CANDIDATE_LEVELS)[number];

const EXPECTATIONS: Record<CandidateLevel, string> = {
  junior:
    "A junior is expected to deliver working code that meets the assignment, with readable names and structure; gaps in architecture, tests and edge cases are forgivable if the basics are sound.",
  middle:
    "A middle developer is expected to deliver correct, well-structured code with tests for the main paths, sensible error handling and no security basics missed.",
  senior:
    "A senior is expected to deliver production-quality work: a clear design suited to the problem, thorough tests, careful error handling, security and performance awareness, and documentation of trade-offs.",
};

const Synthesis = z.object({
  rating: z.coerce.number().int().min(1).max(10),
  rating_rationale: z.string().min(1),
  conclusion: z.string().min(1),
});
export type Synthesis = z.infer<typeof Synthesis>;

// The findings the synthesis sees: enough to judge, bounded so the call stays cheap.
const MAX_LISTED = 80;

/**
 * The one question that turns per-file findings into a verdict for a hiring team: the assignment,
 * the level and what the review found go in; a JSON rating, rationale and conclusion come out.
 */
export function buildSynthesisQuestion(input: {
  assignment: string;
  level: CandidateLevel;
  findings: readonly Pick<Finding, "path" | "line" | "severity" | "category" | "message">[];
  filesReviewed: number;
  filesSkipped: number;
}): string {
  const listed = input.findings
    .slice(0, MAX_LISTED)
    .map((f) => `- [${f.severity}/${f.category}] ${f.path}:${f.line} ${f.message.split("\n")[0]}`);
  const more = input.findings.length - listed.length;
  return [
    `This repository is a candidate's solution to a coding assignment. The candidate applies at the ${input.level} level. ${EXPECTATIONS[input.level]}`,
    `The assignment:\n${input.assignment}`,
    `A file-by-file review of ${input.filesReviewed} files (${input.filesSkipped} not reviewed) found:\n${listed.join("\n") || "(nothing)"}${more > 0 ? `\n(and ${more} more)` : ""}`,
    'Judge the solution against the assignment and what is expected at this level. Answer with only one JSON object, no prose around it: {"rating": <whole number 1-10>, "rating_rationale": "<two or three sentences>", "conclusion": "<a short verdict for the hiring team: strengths, main gaps, recommendation>"}',
  ].join("\n\n");
}

/** Reads the synthesis answer tolerantly (code fences, prose around the object); undefined if unusable. */
export function parseSynthesis(text: string): Synthesis | undefined {
  const parsed = Synthesis.safeParse(extractJson(text));
  return parsed.success ? parsed.data : undefined;
}

/** `Junior`, `MIDDLE`, ` senior ` → the level; anything else → undefined. */
export function parseLevel(value: unknown): CandidateLevel | undefined {
  if (typeof value !== "string") return undefined;
  const level = value.trim().toLowerCase();
  return (CANDIDATE_LEVELS as readonly string[]).includes(level)
    ? (level as CandidateLevel)
    : undefined;
}
