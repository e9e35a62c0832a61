import { z } from "zod";
import type { Finding } from "../model/types.js";
import { ModelAnswer, ModelFinding } from "./model-answer.schema.js";

export type ParsedAnswer = {
  summary: string;
  findings: Finding[];
  rating: { score: number; reason: string } | undefined;
  conclusion: string;
  /** Findings that failed validation and were dropped. */
  dropped: number;
};

// The envelope is validated leniently: a missing summary or rating costs that part only; the
// findings are validated one by one so one malformed finding is dropped, not the answer.
const Envelope = z.object({
  summary: z.string().catch(""),
  findings: z.array(z.unknown()).catch([]),
  rating: ModelAnswer.shape.rating.optional().catch(undefined),
  rating_reason: z.string().catch(""),
  conclusion: z.string().catch(""),
});

/**
 * Reads a model's answer: JSON, JSON in a code fence, or JSON inside prose. Returns undefined when
 * there is no JSON object at all, or the object holds nothing usable.
 */
export function parseModelAnswer(text: string, source: string): ParsedAnswer | undefined {
  const json = extractJson(text);
  if (json === undefined) return undefined;
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return undefined;
  const { summary, findings: raw, rating, rating_reason, conclusion } = envelope.data;

  const findings: Finding[] = [];
  let dropped = 0;
  for (const item of raw) {
    const parsed = ModelFinding.safeParse(item);
    if (!parsed.success || parsed.data.line < 1 || parsed.data.message.trim() === "") {
      dropped++;
      continue;
    }
    const f = parsed.data;
    findings.push({
      path: f.path.replace(/^\.?\//, ""),
      line: f.line,
      startLine:
        f.start_line !== null && f.start_line > 0 && f.start_line !== f.line
          ? f.start_line
          : undefined,
      severity: f.severity,
      category: f.category,
      message: f.message.trim(),
      // Models often send "" for "no suggestion"; an empty block would delete the lines when applied.
      suggestion: f.suggestion !== null && f.suggestion.trim() !== "" ? f.suggestion : undefined,
      source,
    });
  }
  const usable = findings.length > 0 || rating !== undefined || summary !== "" || conclusion !== "";
  if (!usable) return undefined;
  return {
    summary,
    findings,
    rating: rating === undefined ? undefined : { score: rating, reason: rating_reason },
    conclusion,
    dropped,
  };
}

/** The first JSON object in `text`, tolerating code fences and prose around it. */
export function extractJson(text: string): unknown {
  const candidates = [text.trim()];
  const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first !== -1 && last > first) candidates.push(text.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}
