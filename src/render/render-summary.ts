import type { AnchoredFinding, SummaryFinding } from "../engine/anchor/anchor-findings.js";
import type { FileDecision } from "../engine/select/filter-files.js";
import type { ReviewResult, UsageLine } from "../model/review-result.js";
import { SEVERITIES, type Severity } from "../model/types.js";
import {
  neutraliseMarkup,
  parseState,
  renderFindings,
  renderState,
  type StoredFinding,
  SUMMARY_MARKER,
  type SummaryState,
  withState,
} from "./markers.js";
import { SEVERITY_LABEL } from "./render-comment.js";

/** GitHub rejects comment bodies over 65,536 characters; stay clear of it in UTF-8 bytes too. */
export const MAX_SUMMARY_BYTES = 60_000;

export type SummaryView = {
  headSha: string;
  version: string;
  files: FileDecision[];
  inline: AnchoredFinding[];
  summaryOnly: SummaryFinding[];
  /** `computed` ratings come from the rubric; their reason says so. */
  rating: { score: number; reason: string; computed: boolean } | undefined;
  overview: string;
  conclusion: string;
  /** Who served, e.g. "OpenAI `gpt-4.1-mini`" or "static checks only". */
  servedBy: string;
  /** Tokens per provider and model, with a cost estimate where the price is known. */
  usage: UsageLine[];
  /** Warnings a user should see first: config errors, provider outages, fallbacks. */
  notes: string[];
  /** Automatic reviews stay paused after this (explicitly requested) review. */
  paused?: boolean | undefined;
  /** Earlier findings this push resolved. */
  resolved?:
    | ReadonlyArray<{ path: string; line: number; message: string; category: string }>
    | undefined;
};

/** What a review result contributes to the summary; callers add the head, version and notes. */
export function summaryOf(
  result: ReviewResult,
): Omit<SummaryView, "headSha" | "version" | "notes" | "paused"> {
  return {
    files: result.decisions,
    inline: result.inline,
    summaryOnly: result.summaryOnly,
    rating: result.rating,
    overview: result.overview,
    conclusion: result.conclusion,
    servedBy: result.servedBy,
    usage: result.usage,
    resolved: result.resolved,
  };
}

/** The sticky summary comment, fully rendered. Pure; the same view always gives the same text. */
export function renderSummary(view: SummaryView): string {
  const sections = [
    SUMMARY_MARKER,
    "## Critic review",
    ...(view.paused ? [PAUSED_BANNER] : []),
    ...view.notes.map((n) => `> ⚠️ ${n}`),
    view.overview ? neutraliseMarkup(view.overview) : "",
    "### Found files",
    renderFiles(view.files),
    "### Downsides and comments",
    renderDownsides(view.inline, view.summaryOnly),
    renderResolved(view.resolved ?? []),
    "### Rating",
    view.rating
      ? `**${view.rating.score}/10** — ${neutraliseMarkup(view.rating.reason)}`
      : "Not rated: there was nothing to review.",
    "### Conclusion",
    neutraliseMarkup(view.conclusion),
    "---",
    renderFooter(view),
  ];
  return truncate(
    sections.filter((s) => s !== "").join("\n\n"),
    `${renderFindings(storedFindings(view))}\n${renderState({ sha: view.headSha, version: view.version, paused: view.paused })}`,
  );
}

/** The body shown while a review runs; keeps the earlier review below it when there was one. */
export function renderInProgress(headSha: string, version: string, previous?: string): string {
  const banner = `> ⏳ Critic is reviewing \`${headSha.slice(0, 7)}\`… this comment will be updated when the review is done.`;
  const earlier = previous ? stripHeader(previous) : "";
  const body = [SUMMARY_MARKER, "## Critic review", banner, earlier]
    .filter((s) => s !== "")
    .join("\n\n");
  return earlier ? body : `${body}\n\n${renderState({ sha: "", version })}`;
}

export const PAUSED_BANNER =
  "> ⏸️ Automatic reviews are paused on this pull request. `/resume` turns them back on; `/review` reviews once.";

/** Shown when a review could not finish; says what to do instead of leaving a spinner behind. */
export function renderFailed(
  headSha: string,
  version: string,
  reason: string,
  previous?: SummaryState,
): string {
  return [
    SUMMARY_MARKER,
    "## Critic review",
    `> ❌ The review of \`${headSha.slice(0, 7)}\` could not be completed: ${reason}. Push a new commit or comment \`/review\` to try again.`,
    renderState({ sha: previous?.sha ?? "", version, paused: previous?.paused }),
  ].join("\n\n");
}

/** The summary with automatic reviews paused or resumed; a new one when the PR had none. */
export function renderPaused(
  previous: string | undefined,
  version: string,
  paused: boolean,
): string {
  const state: SummaryState = {
    sha: (previous && parseState(previous)?.sha) || "",
    version,
    paused,
  };
  const body =
    previous ??
    [SUMMARY_MARKER, "## Critic review", "Critic has not reviewed this pull request yet."].join(
      "\n\n",
    );
  const unbannered = body.replace(`${PAUSED_BANNER}\n\n`, "").replace(PAUSED_BANNER, "");
  const bannered = paused
    ? unbannered.replace("## Critic review", `## Critic review\n\n${PAUSED_BANNER}`)
    : unbannered;
  return withState(bannered, state);
}

function stripHeader(previous: string): string {
  return previous
    .replace(SUMMARY_MARKER, "")
    .replace(/^\s*## Critic review\s*/, "")
    .replace(/^> ⏳[^\n]*\n*/m, "")
    .trim();
}

/** Paths and reasons in the table come from the PR: they may not open HTML comments or split cells. */
function cell(text: string): string {
  return neutraliseMarkup(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}

function renderFiles(files: FileDecision[]): string {
  if (files.length === 0) return "No files changed.";
  const rows = files.map(({ file, reviewed, reason }) => {
    const name = file.previousPath
      ? `\`${cell(file.previousPath)}\` → \`${cell(file.path)}\``
      : `\`${cell(file.path)}\``;
    const review = reviewed ? "reviewed" : `skipped: ${cell(reason ?? "")}`;
    return `| ${name} | ${file.status} | +${file.additions}/−${file.deletions} | ${review} |`;
  });
  return ["| File | Status | +/− | Review |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const WHERE: Record<SummaryFinding["placement"], string> = {
  "outside-diff": "outside the diff",
  "over-cap": "not posted inline: comment limit",
  "inline-rejected": "not posted inline",
  earlier: "from an earlier review",
};

function renderDownsides(inline: AnchoredFinding[], summaryOnly: SummaryFinding[]): string {
  const placed = summaryOnly.filter((f) => f.placement !== "outside-diff");
  const outside = summaryOnly.filter((f) => f.placement === "outside-diff");
  const listed: Array<{ f: AnchoredFinding | SummaryFinding; where: string }> = [
    ...inline.map((f) => ({ f, where: "inline" })),
    ...placed.map((f) => ({ f, where: WHERE[f.placement] })),
  ];
  if (listed.length === 0 && outside.length === 0) return "No problems found.";

  const blocks: string[] = [];
  for (const severity of SEVERITIES) {
    const items = listed.filter(({ f }) => f.severity === severity);
    if (items.length === 0) continue;
    blocks.push(
      `**${SEVERITY_LABEL[severity as Severity]} (${items.length})**\n${items.map(({ f, where }) => renderItem(f, where)).join("\n")}`,
    );
  }
  if (outside.length > 0) {
    blocks.push(
      `**Outside the diff (${outside.length})**\n${outside.map((f) => renderItem(f, f.severity)).join("\n")}`,
    );
  }
  return blocks.join("\n\n");
}

function renderResolved(resolved: NonNullable<SummaryView["resolved"]>): string {
  if (resolved.length === 0) return "";
  const items = resolved.map(
    (f) =>
      `- ~~\`${neutraliseMarkup(f.path)}:${f.line}\` (${f.category}) ${neutraliseMarkup(f.message).replaceAll("\n", " ")}~~`,
  );
  return `**✅ Resolved since the last review (${resolved.length})**\n${items.join("\n")}`;
}

// The next review reads these back to carry findings across pushes; capped so the comment stays small.
const MAX_STORED = 200;
function storedFindings(view: SummaryView): StoredFinding[] {
  const all = [
    ...view.inline.map((f) => ({ f, i: true })),
    ...view.summaryOnly.map((f) => ({
      f,
      i:
        f.placement === "earlier" && "inline" in f
          ? Boolean((f as { inline?: boolean }).inline)
          : false,
    })),
  ];
  return all.slice(0, MAX_STORED).map(({ f, i }) => ({
    p: f.path,
    l: f.line,
    s: f.severity,
    c: f.category,
    m: f.message.slice(0, 400),
    i,
  }));
}

function renderItem(f: AnchoredFinding | SummaryFinding, where: string): string {
  return `- \`${neutraliseMarkup(f.path)}:${f.line}\` (${f.category}) ${neutraliseMarkup(f.message).replaceAll("\n", " ")} _(${where})_`;
}

function renderFooter(view: SummaryView): string {
  const usage = view.usage.map((u) => {
    const cost =
      u.costUsd === undefined
        ? ""
        : ` (≈ $${u.costUsd < 0.01 ? u.costUsd.toFixed(4) : u.costUsd.toFixed(2)})`;
    const requests = `${u.requests} ${u.requests === 1 ? "request" : "requests"}${u.cached > 0 ? `, ${u.cached} from cache` : ""}`;
    return ` · ${u.provider} ${u.model}: ${u.inputTokens.toLocaleString("en-US")} tokens in / ${u.outputTokens.toLocaleString("en-US")} out${cost}, ${requests}`;
  });
  return `<sub>Reviewed \`${view.headSha.slice(0, 7)}\` by ${view.servedBy}${usage.join("")} · Critic ${view.version}</sub>`;
}

function truncate(body: string, state: string): string {
  const budget = MAX_SUMMARY_BYTES - Buffer.byteLength(state, "utf8") - 200;
  const buffer = Buffer.from(body, "utf8");
  if (buffer.length <= budget) return `${body}\n${state}`;
  // Cut on a line boundary; a cut inside a multi-byte character is dropped by the decoder.
  const cut = buffer
    .subarray(0, budget)
    .toString("utf8")
    .replace(/\n[^\n]*$/, "");
  return `${cut}\n\n_(Summary truncated: GitHub limits a comment to 65,536 characters.)_\n${state}`;
}
