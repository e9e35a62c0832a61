/** Hidden markers that let Critic find its own comments again and remember what it reviewed. */

export const SUMMARY_MARKER = "<!-- critic:summary -->";
export const REVIEW_MARKER_PREFIX = "<!-- critic:review";

export type SummaryState = { sha: string; version: string };

const STATE_PATTERN = /<!-- critic:state (?<json>\{[^\n]*?\}) -->/g;

export function renderState(state: SummaryState): string {
  // JSON of hex SHAs and a semver cannot contain "--", which would end the HTML comment early.
  return `<!-- critic:state ${JSON.stringify(state)} -->`;
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
    const { sha, version } = value as Record<string, unknown>;
    return typeof sha === "string" && typeof version === "string" ? { sha, version } : undefined;
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
