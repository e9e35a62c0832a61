import type { Finding } from "../../../model/types.js";
import type { StaticRule } from "../static-rule.js";

// Who the text speaks to: an AI reviewer, by role or by name.
const REVIEWER =
  /\b(?:ais?|a\.i\.|llms?|language models?|reviewer|(?:ai|automated|bot|llm) reviewers|review bots?|code review(?:er)?|assistants?|critic|copilot|coderabbit|chatgpt|gpt|claude|gemini)\b/i;
// Telling it to drop what it was told.
const OVERRIDE =
  /\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions|prompts?|rules|guidelines|system message)\b/i;
// What it asks of the verdict: approval, or silence about problems. Line lengths are bounded
// before matching, so these stay linear.
const VERDICT = new RegExp(
  [
    // approve this PR
    /\bapprov(?:e|ing)\b.{0,24}\b(?:this|the|my)\s+(?:pr|pull request|change|changes|code|diff|merge request|commit|patch)\b/
      .source,
    // report no issues
    /\b(?:report|flag|mention|say|find)\b.{0,20}\b(?:no|zero)\s+(?:issues|problems|findings|bugs|vulnerabilities|concerns)\b|\b(?:report|flag|mention)\s+nothing\b/
      .source,
  ].join("|"),
  "i",
);
// A top rating, or an LGTM: a verdict only when the line says of what (it, this, the PR), since
// "give it a 10" reads like "a 10 second timeout" or a grading prompt's "a score of 10" otherwise.
// A 10 followed by a unit is a quantity.
const NOT_A_UNIT =
  "(?!\\s*(?:s|secs?|seconds?|ms|milliseconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|%|px|em|rem|kb|mb|gb|x|times|retries|tries|attempts|tokens|items|lines|chars|characters|bytes|requests|calls)\\b)";
const RATING = new RegExp(
  [
    // rate it 10/10, give it 10 out of 10, a perfect 10, full marks
    `\\b(?:rate|rating|score|grade|give|assign|mark|deserves?)\\b.{0,30}(?:\\b10\\s*\\/\\s*10\\b|\\b10 out of 10\\b|\\bten out of ten\\b|\\ba (?:perfect )?10\\b${NOT_A_UNIT}|\\bfull marks\\b|\\bperfect (?:score|rating)\\b)`,
    // a score of 10 (not of 100, nor 10 out of 20)
    `\\b(?:score|rating|grade)\\s+of\\s+10\\b(?!\\s*(?:\\/|out\\b)|0)${NOT_A_UNIT}`,
    // say LGTM
    "\\b(?:say|reply|respond|answer|comment|write)\\b.{0,20}\\b(?:lgtm|looks good to me)\\b",
  ].join("|"),
  "i",
);
const TARGET =
  /\b(?:it|this|these changes|the (?:pr|pull request|change|changes|code|diff|commit|patch))\b/i;
// A prompt that gives a model its role ("You are a code reviewer…") is a template, unless it also
// tells the model to drop its instructions.
const ROLE = /\byou are (?:a|an)\b/i;
// Characters that hide words from a pattern but not from a model: zero-width and format
// characters are dropped, and Cyrillic and Greek letters that look Latin read as Latin.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const LOOKALIKES: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  і: "i",
  ї: "i",
  ј: "j",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  α: "a",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
};
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join("")}]`, "giu");

/** The line as a reader sees it; ASCII lines (nearly all) are returned as they are. */
export function asRead(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is what "ASCII" means.
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return text
    .replace(INVISIBLE, "")
    .normalize("NFKC")
    .replace(LOOKALIKE, (c) => {
      const lower = LOOKALIKES[c.toLowerCase()] ?? c;
      return c === c.toLowerCase() ? lower : lower.toUpperCase();
    });
}

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
        const text = asRead(line.text.slice(0, MAX_LINE));
        if (!VERDICT.test(text) && !(RATING.test(text) && TARGET.test(text))) continue;
        const context = lines
          .slice(Math.max(0, i - WINDOW), i + 1)
          .map((l) => asRead(l.text.slice(0, MAX_LINE)))
          .join("\n");
        const overrides = OVERRIDE.test(context);
        if (!REVIEWER.test(context) && !overrides) continue;
        if (ROLE.test(context) && !overrides) continue;
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
