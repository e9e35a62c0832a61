import type { Finding } from "../../../model/types.js";
import type { StaticRule } from "../static-rule.js";

// Who the text speaks to: an AI reviewer, by role or by name.
const REVIEWER =
  /\b(?:ai|a\.i\.|llm|language model|reviewer|review bot|code review(?:er)?|assistant|critic|copilot|coderabbit|chatgpt|gpt|claude|gemini)\b/i;
// Telling it to drop what it was told.
const OVERRIDE =
  /\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions|prompts?|rules|guidelines|system message)\b/i;
// What it asks of the verdict: approval, a top rating, or silence about problems. Lines lengths are
// bounded before matching, so these stay linear.
const VERDICT =
  /\bapprov(?:e|ing)\b.{0,24}\b(?:this|the)\s+(?:pr|pull request|change|code|diff|merge request)\b|\b(?:rate|rating|score|grade)\b.{0,30}(?:\b10\s*\/\s*10\b|\bten out of ten\b|\ba (?:perfect )?10\b)|\b(?:report|flag|mention|say|find)\b.{0,20}\b(?:no|zero)\s+(?:issues|problems|findings|bugs|vulnerabilities|concerns)\b|\b(?:report|flag|mention)\s+nothing\b/i;
// Lines above the verdict line that may address the reviewer (a comment block).
const WINDOW = 2;
const MAX_LINE = 2_000;

/**
 * Text on added lines that speaks to an AI reviewer and asks it for a verdict: approval, a perfect
 * rating, or silence about problems. It is a finding of its own, from a rule, so it stands when a
 * model obeys. A prompt template that speaks to a model about anything but
 * this review's verdict is left alone.
 */
export const promptInjection: StaticRule = {
  id: "prompt-injection",
  check(file) {
    const findings: Finding[] = [];
    for (const hunk of file.hunks) {
      const lines = hunk.lines;
      for (const [i, line] of lines.entries()) {
        if (line.kind !== "add" || line.newLine === undefined) continue;
        const text = line.text.slice(0, MAX_LINE);
        if (!VERDICT.test(text)) continue;
        const context = lines
          .slice(Math.max(0, i - WINDOW), i + 1)
          .map((l) => l.text.slice(0, MAX_LINE))
          .join("\n");
        if (!REVIEWER.test(context) && !OVERRIDE.test(context)) continue;
        findings.push({
          path: file.path,
          line: line.newLine,
          severity: "critical",
          category: "security",
          message:
            "This text addresses an AI reviewer to change its verdict (prompt injection). Critic does not follow it, and rates this change from its findings instead of a model's word. Remove it, and have a person review the change.",
          source: "prompt-injection",
        });
      }
    }
    return findings;
  },
};
