import type { GateDecision } from "../engine/merge/decide-gate.js";
import type { CheckAnnotation, CheckOutput } from "../model/check-run.js";
import type { Finding, Severity } from "../model/types.js";
import { SEVERITY_LABEL } from "./render-comment.js";

/** GitHub's limits on a check run's output: summary 65,535 characters, title 255. */
const MAX_SUMMARY_CHARS = 65_535;
const MAX_TITLE_CHARS = 255;
/** Enough to see every problem of a large change; each 50 costs one more request. */
export const MAX_ANNOTATIONS = 500;
const MAX_MESSAGE_CHARS = 4_000;

const LEVEL: Record<Severity, CheckAnnotation["annotation_level"]> = {
  critical: "failure",
  warning: "warning",
  suggestion: "notice",
};

/**
 * The finished `Critic` check run: a title with the gate, the rating and the counts; a summary
 * with the same sections as the summary comment (its hidden markers removed) under a line saying
 * what the gate decided; one annotation per finding, most severe first.
 */
export function renderCheckOutput(params: {
  /** The summary comment's body, as posted. */
  summaryBody: string;
  findings: readonly Finding[];
  rating: { score: number } | undefined;
  gate: GateDecision;
  /** False when `gate` is all defaults: the check then only reports. */
  gateActive: boolean;
}): CheckOutput {
  const { findings, rating, gate } = params;
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const counts = [
    plural(count("critical"), "critical", "critical"),
    plural(count("warning"), "warning", "warnings"),
    plural(count("suggestion"), "suggestion", "suggestions"),
  ].join(", ");
  const verdict =
    gate.conclusion === "failure"
      ? "Gate failed · "
      : gate.conclusion === "neutral"
        ? "Gate not decided · "
        : "";
  const title = `${verdict}${rating ? `Rating ${rating.score}/10` : "Not rated"} · ${counts}`;
  const gateLine = !params.gateActive
    ? "The quality gate is off (`gate` in `.github/critic.yml`); this check only reports."
    : gate.conclusion === "failure"
      ? `**Quality gate failed:** ${gate.reasons.join("; ")}.`
      : gate.conclusion === "neutral"
        ? `**Quality gate not decided:** ${gate.reasons.join("; ")}.`
        : "**Quality gate passed.**";
  const body = stripMarkers(params.summaryBody);
  const summary = cut(`${gateLine}\n\n${body}`, MAX_SUMMARY_CHARS);
  const annotations = [...findings]
    .slice(0, MAX_ANNOTATIONS)
    .map((f): CheckAnnotation => annotationOf(f));
  return { title: cut(title, MAX_TITLE_CHARS), summary, annotations };
}

/** A short output for a run that ends without a review: superseded, closed, failed. */
export function renderCheckNote(title: string, summary: string): CheckOutput {
  return { title: cut(title, MAX_TITLE_CHARS), summary: cut(summary, MAX_SUMMARY_CHARS) };
}

function annotationOf(f: Finding): CheckAnnotation {
  const start = f.startLine !== undefined && f.startLine <= f.line ? f.startLine : f.line;
  return {
    path: f.path,
    start_line: start,
    end_line: f.line,
    annotation_level: LEVEL[f.severity],
    title: `${SEVERITY_LABEL[f.severity]} · ${f.category}`,
    message: cut(f.message, MAX_MESSAGE_CHARS),
  };
}

/** The summary comment's hidden markers mean nothing in a check run. */
function stripMarkers(body: string): string {
  return body
    .replace(/<!-- critic:[^\n]*?-->\n?/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Cuts to at most `max` UTF-8 bytes (GitHub counts bytes), on a character boundary. */
function cut(text: string, max: number): string {
  if (Buffer.byteLength(text, "utf8") <= max) return text;
  const note = "\n\n_(Truncated: GitHub limits this text.)_";
  const room = max > note.length * 2 ? max - note.length : max - 3;
  let kept = Buffer.from(text, "utf8").subarray(0, room).toString("utf8");
  // A character split by the byte cut decodes as U+FFFD: drop it.
  kept = kept.replace(/\uFFFD+$/, "");
  return max > note.length * 2 ? `${kept}${note}` : `${kept}…`;
}
