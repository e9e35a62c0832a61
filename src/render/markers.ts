/** Hidden markers that let Critic find its own comments again and remember what it reviewed. */

export const SUMMARY_MARKER = "<!-- critic:summary -->";
export const REVIEW_MARKER_PREFIX = "<!-- critic:review";

/** What Critic remembers about a pull request, in its summary comment: no database needed. */
export type SummaryState = {
  /** The last head commit reviewed ("" before the first review). */
  sha: string;
  version: string;
  /** Automatic reviews are off (`/pause`) until `/resume`. */
  paused?: boolean | undefined;
};

const STATE_PATTERN = /<!-- critic:state (?<json>\{[^\n]*?\}) -->/g;

export function renderState(state: SummaryState): string {
  // JSON of hex SHAs and a semver cannot contain "--", which would end the HTML comment early.
  const { sha, version, paused } = state;
  return `<!-- critic:state ${JSON.stringify(paused ? { sha, version, paused } : { sha, version })} -->`;
}

/** `body` with its state marker replaced by `state` (appended when it had none). */
export function withState(body: string, state: SummaryState): string {
  const markers = [...body.matchAll(STATE_PATTERN)];
  const last = markers.at(-1);
  if (last?.index === undefined) return `${body}\n${renderState(state)}`;
  return body.slice(0, last.index) + renderState(state) + body.slice(last.index + last[0].length);
}

/**
 * Reads the state marker of a summary body; undefined when absent or malformed. Critic writes it
 * last, so the last one counts: anything earlier came from somewhere else.
 */
export function parseState(body: string): SummaryState | undefined {
  const json = [...body.matchAll(STATE_PATTERN)].at(-1)?.groups?.json;
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== "object" || value === null) return undefined;
    const { sha, version, paused } = value as Record<string, unknown>;
    if (typeof sha !== "string" || typeof version !== "string") return undefined;
    return paused === true ? { sha, version, paused } : { sha, version };
  } catch {
    return undefined;
  }
}

/** Marks a review body so a retried job can tell its own review on this head apart. */
export function renderReviewMarker(sha: string): string {
  return `${REVIEW_MARKER_PREFIX} sha=${sha} -->`;
}

/** Model-written text must not be able to forge Critic's markers or open an HTML comment. */
export function neutraliseMarkup(text: string): string {
  return text.replaceAll("<!--", "&lt;!--").replaceAll("-->", "--&gt;");
}

const FINDINGS_PATTERN = /<!-- critic:findings (?<data>[A-Za-z0-9+/=]*) -->/g;

/** Findings a summary lists, kept compact for the next review (base64: messages may hold `--`). */
export type StoredFinding = { p: string; l: number; s: string; c: string; m: string; i: boolean };

export function renderFindings(findings: readonly StoredFinding[]): string {
  return `<!-- critic:findings ${Buffer.from(JSON.stringify(findings), "utf8").toString("base64")} -->`;
}

/** The findings marker of a summary body (the last one), or [] when absent or unreadable. */
export function parseFindings(body: string): StoredFinding[] {
  const data = [...body.matchAll(FINDINGS_PATTERN)].at(-1)?.groups?.data;
  if (!data) return [];
  try {
    const value: unknown = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
    return Array.isArray(value) ? value.filter(isStoredFinding) : [];
  } catch {
    return [];
  }
}

function isStoredFinding(v: unknown): v is StoredFinding {
  if (typeof v !== "object" || v === null) return false;
  const f = v as Record<string, unknown>;
  return (
    typeof f.p === "string" &&
    typeof f.l === "number" &&
    typeof f.s === "string" &&
    typeof f.c === "string" &&
    typeof f.m === "string" &&
    typeof f.i === "boolean"
  );
}

/** What an inline comment's hidden marker says about its finding: a reply can name it. */
export type FindingMarker = {
  /** The rule: a static rule id, or "model". */
  rule: string;
  category: string;
  fingerprint: string;
};

const FINDING_MARKER_PATTERN = /<!-- critic:finding (?<json>\{[^\n]{0,500}?\}) -->/g;

/**
 * `<!-- critic:finding {"r":"no-eval","c":"security","f":"…"} -->`, written last in each inline
 * comment. `<` and `>` are escaped inside the JSON (`\u003c`), so no value can end the comment or
 * open another one, and a rule id cannot pass for a second marker.
 */
export function renderFindingMarker(marker: FindingMarker): string {
  const json = JSON.stringify({ r: marker.rule, c: marker.category, f: marker.fingerprint })
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e");
  return `<!-- critic:finding ${json} -->`;
}

/**
 * The finding marker of an inline comment, or undefined when absent or malformed. Critic writes
 * it last, so the last one counts: one earlier in the body (a suggestion's code may hold anything)
 * came from somewhere else.
 */
export function parseFindingMarker(body: string): FindingMarker | undefined {
  const json = [...body.matchAll(FINDING_MARKER_PATTERN)].at(-1)?.groups?.json;
  if (!json) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== "object" || value === null) return undefined;
    const { r, c, f } = value as Record<string, unknown>;
    if (typeof r !== "string" || typeof c !== "string" || typeof f !== "string") return undefined;
    if (!/^[0-9a-f]{8,64}$/.test(f) || r === "" || r.length > 200 || c.length > 50)
      return undefined;
    return { rule: r, category: c, fingerprint: f };
  } catch {
    return undefined;
  }
}
