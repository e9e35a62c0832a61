import picomatch from "picomatch";
import type { Learning } from "../../model/learning.js";
import type { Finding } from "../../model/types.js";
import type { Redactor } from "../../security/redactor.js";
import { findingFingerprint, ruleOf } from "../../store/fingerprint.js";
import { estimateTokens } from "../pack/chunk-files.js";

/**
 * Rules no learning silences. A committed secret is reported whatever anyone said about an
 * earlier one: "it is a test key" about one file must not wave the next real key through.
 */
export const NEVER_SUPPRESSED: ReadonlySet<string> = new Set(["secrets"]);

/**
 * A learning taught by a reply silences its finding's fingerprint, and, for a static rule, the
 * whole rule (within its path glob). Never the whole of "model": one turned-down model finding
 * must not silence every model finding of its category; its reason reaches the model as guidance.
 */
const RULE_WIDE = (rule: string) => rule !== "model" && !NEVER_SUPPRESSED.has(rule);

const GLOB_OPTIONS = { dot: true } as const;

/**
 * The learnings filter: a predicate that says yes to a new finding a learning rules out, or
 * undefined when no learning filters anything (free text only guides the model). Pure. Pass the
 * redactor the history uses: fingerprints are then the ones stored and shown in comment markers.
 */
export function suppressorFor(
  learnings: readonly Learning[],
  redactor?: Pick<Redactor, "redact"> | undefined,
): ((finding: Finding) => boolean) | undefined {
  const filtering = learnings
    .filter((l) => l.fingerprint !== undefined || (l.rule !== undefined && RULE_WIDE(l.rule)))
    .map((l) => ({
      learning: l,
      matches: l.path === undefined ? () => true : picomatch(l.path, GLOB_OPTIONS),
    }));
  if (filtering.length === 0) return undefined;
  const redact = redactor && ((text: string) => redactor.redact(text));
  return (finding) => {
    if (NEVER_SUPPRESSED.has(finding.source)) return false;
    const rule = ruleOf(finding.source);
    let print: string | undefined;
    for (const { learning, matches } of filtering) {
      if (!matches(finding.path)) continue;
      if (learning.rule !== undefined && RULE_WIDE(learning.rule) && learning.rule === rule)
        return true;
      if (learning.fingerprint !== undefined) {
        print ??= findingFingerprint(finding, redact);
        if (learning.fingerprint === print) return true;
      }
    }
    return false;
  };
}

/** The learnings filter over a list: what stays, and what learnings suppressed. Pure. */
export function filterByLearnings<F extends Finding>(
  findings: readonly F[],
  learnings: readonly Learning[],
  redactor?: Pick<Redactor, "redact"> | undefined,
): { kept: F[]; suppressed: F[] } {
  const suppress = suppressorFor(learnings, redactor);
  if (!suppress) return { kept: [...findings], suppressed: [] };
  const kept: F[] = [];
  const suppressed: F[] = [];
  for (const f of findings) (suppress(f) ? suppressed : kept).push(f);
  return { kept, suppressed };
}

/** What learnings may add to a prompt: small, so the review's own budget is hardly touched. */
export const GUIDANCE_TOKENS = 300;
const MAX_ENTRY_CHARS = 240;

const HEADER =
  "Learnings: the maintainers settled these in earlier reviews of this repository. Follow them, and do not report what they rule out.";

/**
 * The learnings as prompt guidance, within `maxTokens`: those that apply to the files under
 * review (a path glob that matches none is left out), the repository's before the
 * organisation's, newest first, each cut to a line. "" when none applies. Pure.
 */
export function learnedGuidance(
  learnings: readonly Learning[],
  paths: readonly string[],
  maxTokens = GUIDANCE_TOKENS,
): string {
  const relevant = learnings
    .filter((l) => {
      if (l.path !== undefined) {
        const matches = picomatch(l.path, GLOB_OPTIONS);
        if (!paths.some((p) => matches(p))) return false;
      }
      // A turned-down model finding concerns its own file.
      if (l.rule === "model" && l.commentPath !== undefined) return paths.includes(l.commentPath);
      return l.rule === undefined || !NEVER_SUPPRESSED.has(l.rule);
    })
    .sort(
      (a, b) =>
        Number(a.scope === "organisation") - Number(b.scope === "organisation") ||
        b.createdAt - a.createdAt ||
        b.id - a.id,
    );
  const lines: string[] = [];
  let tokens = estimateTokens(HEADER);
  for (const l of relevant) {
    const line = `- ${guidanceLine(l)}`;
    const cost = estimateTokens(line) + 1;
    if (tokens + cost > maxTokens) continue;
    tokens += cost;
    lines.push(line);
  }
  return lines.length === 0 ? "" : [HEADER, ...lines].join("\n");
}

function guidanceLine(l: Learning): string {
  const text = clipLine(l.text.trim() || "(no reason given)");
  const where = l.path === undefined ? "" : `In files matching \`${l.path}\`: `;
  if (l.rule === undefined) return `${where}${text}`;
  if (l.rule === "model") {
    const what = l.category ? `A ${l.category} finding` : "A finding";
    const file = l.commentPath === undefined ? "" : ` in \`${l.commentPath}\``;
    return `${where}${what}${file} was turned down: ${text}`;
  }
  return `${where}Not a problem here (rule \`${l.rule}\`): ${text}`;
}

function clipLine(text: string): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > MAX_ENTRY_CHARS ? `${line.slice(0, MAX_ENTRY_CHARS - 1)}…` : line;
}

/**
 * The repository's settings with the learnings' guidance after its own `instructions`: the
 * prompt fences both as the maintainers' guidance (never as pull-request data), after the static
 * system prompt, and the engine sanitizes them like any repository text. Pure.
 */
export function withLearnedGuidance<C extends { instructions: string }>(
  config: C,
  guidance: string,
): C {
  if (guidance === "") return config;
  const own = config.instructions.trim();
  return { ...config, instructions: own === "" ? guidance : `${own}\n\n${guidance}` };
}
