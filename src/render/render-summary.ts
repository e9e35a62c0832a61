import type {
  AnchoredFinding,
  FileDecision,
  ReviewResult,
  SummaryFinding,
  UsageLine,
} from "../model/review-result.js";
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
  /** Of Critic's inline comments in this repository over the last 30 days, those acted on. */
  actedOn?: { actedOn: number; total: number } | undefined;
  /** New findings the repository's learnings suppressed. */
  suppressedByLearnings?: number | undefined;
  /** Repository instruction files (AGENTS.md and the like) a model was given; named in the footer. */
  instructionFiles?: readonly string[] | undefined;
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
    suppressedByLearnings: result.suppressedByLearnings,
    instructionFiles: result.instructions?.used,
  };
}

/**
 * The sticky summary comment, fully rendered within GitHub's comment limit. Pure; the same view
 * always gives the same text. When the whole of it does not fit, the largest sections give way
 * first, step by step (Found files becomes counts per directory and status, long finding lists
 * fold, long texts are cut), and the hidden markers, Rating and Conclusion always survive.
 */
export function renderSummary(view: SummaryView): string {
  let fit: Fit = { files: "rows", listed: 0, textChars: 0, stored: 0 };
  const level = { files: 0, listed: 0, textChars: 0, stored: 0 };
  // A section is rendered again only when a notch it depends on moved: a view that has to give
  // way a dozen times re-renders its large sections a few times each, not a dozen.
  const rendered = new Map<string, string>();
  for (;;) {
    fit = {
      files: NOTCHES.files[level.files] ?? "statuses",
      listed: NOTCHES.listed[level.listed] ?? 0,
      textChars: NOTCHES.textChars[level.textChars] ?? 200,
      stored: NOTCHES.stored[level.stored] ?? 0,
    };
    const parts = summaryParts(view, fit, rendered);
    const body = joinParts(parts);
    if (Buffer.byteLength(body, "utf8") <= MAX_SUMMARY_BYTES) return body;
    // The largest section that can still give way gives way one notch.
    const sizes: Array<[keyof typeof level, number]> = [
      ["files", bytes(parts.files)],
      ["listed", bytes(parts.downsides) + bytes(parts.resolved)],
      ["textChars", bytes(parts.notes) + bytes(parts.overview)],
      ["stored", bytes(parts.state)],
    ];
    const next = sizes
      .filter(([key]) => level[key] < NOTCHES[key].length - 1)
      .sort((a, b) => b[1] - a[1])[0];
    if (!next) return body;
    level[next[0]] += 1;
  }
}

/** How far a summary has given way to fit. */
type Fit = {
  /** Found files: one row per file, per directory and status, or per status alone. */
  files: "rows" | "directories" | "statuses";
  /** Findings listed per severity (and outside the diff) before the rest is folded. */
  listed: number;
  /** Characters kept of the overview, each note and each finding's message. */
  textChars: number;
  /** Findings remembered in the hidden marker for the next review. */
  stored: number;
};

// Each section's steps, from whole to smallest. The smallest of all is bounded whatever the view
// holds (a few rows by status, no finding listed, short texts), so a summary always fits.
const NOTCHES = {
  files: ["rows", "directories", "statuses"] as const,
  listed: [Number.POSITIVE_INFINITY, 100, 50, 20, 5, 0],
  textChars: [100_000, 2_000, 1_000, 500, 200],
  stored: [200, 100, 50, 0],
};

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

type Parts = Record<
  "head" | "notes" | "overview" | "files" | "downsides" | "resolved" | "tail" | "state",
  string
>;

function summaryParts(view: SummaryView, fit: Fit, rendered: Map<string, string>): Parts {
  const once = (key: string, render: () => string) => {
    let text = rendered.get(key);
    if (text === undefined) {
      text = render();
      rendered.set(key, text);
    }
    return text;
  };
  return {
    head: [SUMMARY_MARKER, "## Critic review", ...(view.paused ? [PAUSED_BANNER] : [])].join(
      "\n\n",
    ),
    notes: once(`notes:${fit.textChars}`, () =>
      view.notes
        .slice(0, 20)
        .map((n) => `> ⚠️ ${clip(n, fit.textChars)}`)
        .join("\n\n"),
    ),
    overview: once(`overview:${fit.textChars}`, () =>
      view.overview ? neutraliseMarkup(clip(view.overview, fit.textChars)) : "",
    ),
    files: once(`files:${fit.files}`, () => renderFiles(view.files, fit.files)),
    downsides: once(`downsides:${fit.listed}:${fit.textChars}`, () =>
      [renderDownsides(view.inline, view.summaryOnly, fit), renderSuppressed(view)]
        .filter((s) => s !== "")
        .join("\n\n"),
    ),
    resolved: once(`resolved:${fit.listed}:${fit.textChars}`, () =>
      renderResolved(view.resolved ?? [], fit),
    ),
    tail: once(`tail:${fit.textChars}`, () =>
      [
        "### Rating",
        view.rating
          ? `**${view.rating.score}/10** — ${neutraliseMarkup(clip(view.rating.reason, 1_000))}`
          : "Not rated: there was nothing to review.",
        "### Conclusion",
        neutraliseMarkup(clip(view.conclusion, Math.max(fit.textChars, 1_000))),
        "---",
        renderFooter(view),
      ].join("\n\n"),
    ),
    state: once(
      `state:${fit.stored}`,
      () =>
        `${renderFindings(storedFindings(view, fit.stored))}\n${renderState({ sha: view.headSha, version: view.version, paused: view.paused })}`,
    ),
  };
}

function joinParts(parts: Parts): string {
  const sections = [
    parts.head,
    parts.notes,
    parts.overview,
    "### Found files",
    parts.files,
    "### Downsides and comments",
    parts.downsides,
    parts.resolved,
    parts.tail,
  ];
  return `${sections.filter((s) => s !== "").join("\n\n")}\n${parts.state}`;
}

/** "N findings suppressed by learnings", or "" when none was. */
function renderSuppressed(view: SummaryView): string {
  const n = view.suppressedByLearnings ?? 0;
  if (n <= 0) return "";
  return `_${n} ${n === 1 ? "finding" : "findings"} suppressed by learnings (\`/learnings\` lists them, \`/forget <id>\` removes one)._`;
}

/** Cuts a text to `max` characters on a word boundary, saying so. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max - 40))}… (cut to fit GitHub's comment limit)`;
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

/** Paths and reasons in the table come from the PR: they may not open HTML comments or split cells. */
function cell(text: string): string {
  return neutraliseMarkup(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}

function renderFiles(files: FileDecision[], level: Fit["files"]): string {
  if (files.length === 0) return "No files changed.";
  if (level !== "rows") return renderFileGroups(files, level);
  const rows = files.map(({ file, reviewed, reason }) => {
    const name = file.previousPath
      ? `\`${cell(file.previousPath)}\` → \`${cell(file.path)}\``
      : `\`${cell(file.path)}\``;
    const review = reviewed ? "reviewed" : `skipped: ${cell(reason ?? "")}`;
    return `| ${name} | ${file.status} | +${file.additions}/−${file.deletions} | ${review} |`;
  });
  return ["| File | Status | +/− | Review |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

// Directories listed when files are counted per directory; the rest share one row.
const MAX_GROUPS = 150;

/** Found files as counts: per directory (two levels deep) and status, or per status alone. */
function renderFileGroups(files: FileDecision[], level: "directories" | "statuses"): string {
  type Group = {
    dir: string;
    status: string;
    files: number;
    plus: number;
    minus: number;
    reviewed: number;
  };
  const groups = new Map<string, Group>();
  for (const { file, reviewed } of files) {
    const dir =
      level === "statuses"
        ? "(all)"
        : file.path.split("/").slice(0, -1).slice(0, 2).join("/") || ".";
    const key = `${dir}\0${file.status}`;
    const group = groups.get(key) ?? {
      dir,
      status: file.status,
      files: 0,
      plus: 0,
      minus: 0,
      reviewed: 0,
    };
    group.files += 1;
    group.plus += file.additions;
    group.minus += file.deletions;
    group.reviewed += reviewed ? 1 : 0;
    groups.set(key, group);
  }
  const sorted = [...groups.values()].sort(
    (a, b) => b.files - a.files || a.dir.localeCompare(b.dir),
  );
  const shown = sorted.slice(0, MAX_GROUPS);
  const rest = sorted.slice(MAX_GROUPS);
  const rows = shown.map(
    (g) =>
      `| \`${cell(shortPath(g.dir))}\` | ${g.status} | ${g.files} | +${g.plus}/−${g.minus} | ${g.reviewed} of ${g.files} |`,
  );
  if (rest.length > 0) {
    const sum = (pick: (g: Group) => number) => rest.reduce((n, g) => n + pick(g), 0);
    rows.push(
      `| ${rest.length} more directories | — | ${sum((g) => g.files)} | +${sum((g) => g.plus)}/−${sum((g) => g.minus)} | ${sum((g) => g.reviewed)} of ${sum((g) => g.files)} |`,
    );
  }
  const reviewed = files.filter((f) => f.reviewed).length;
  return [
    `${files.length} files (${reviewed} reviewed), counted ${level === "statuses" ? "by status" : "by directory and status"} to fit GitHub's comment limit.`,
    "",
    `| ${level === "statuses" ? "Files" : "Directory"} | Status | Files | +/− | Reviewed |`,
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

const WHERE: Record<SummaryFinding["placement"], string> = {
  "outside-diff": "outside the diff",
  "over-cap": "not posted inline: comment limit",
  "inline-rejected": "not posted inline",
  earlier: "from an earlier review",
};

function renderDownsides(
  inline: AnchoredFinding[],
  summaryOnly: SummaryFinding[],
  fit: Fit,
): string {
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
      `**${SEVERITY_LABEL[severity as Severity]} (${items.length})**\n${fold(
        items.map(({ f, where }) => renderItem(f, where, fit.textChars)),
        fit.listed,
      )}`,
    );
  }
  if (outside.length > 0) {
    blocks.push(
      `**Outside the diff (${outside.length})**\n${fold(
        outside.map((f) => renderItem(f, f.severity, fit.textChars)),
        fit.listed,
      )}`,
    );
  }
  return blocks.join("\n\n");
}

function renderResolved(resolved: NonNullable<SummaryView["resolved"]>, fit: Fit): string {
  if (resolved.length === 0) return "";
  const items = resolved.map(
    (f) =>
      `- ~~\`${neutraliseMarkup(f.path)}:${f.line}\` (${f.category}) ${neutraliseMarkup(clip(f.message, fit.textChars)).replaceAll("\n", " ")}~~`,
  );
  return `**✅ Resolved since the last review (${resolved.length})**\n${fold(items, fit.listed)}`;
}

/** A path of any length as at most 200 characters: its end, which names the file. */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `…${path.slice(-199)}`;
}

/** The first `max` items of a list, and a line counting the rest. */
function fold(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join("\n");
  const rest = items.length - max;
  return [
    ...items.slice(0, max),
    `- … and ${rest} more, not listed to fit GitHub's comment limit (the check run's annotations and the inline comments show them).`,
  ].join("\n");
}

// The next review reads these back to carry findings across pushes; capped so the comment stays small.
const MAX_STORED = 200;
function storedFindings(view: SummaryView, max: number): StoredFinding[] {
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
  return all.slice(0, Math.min(MAX_STORED, max)).map(({ f, i }) => ({
    p: f.path,
    l: f.line,
    s: f.severity,
    c: f.category,
    m: f.message.slice(0, 400),
    i,
  }));
}

function renderItem(f: AnchoredFinding | SummaryFinding, where: string, maxChars: number): string {
  return `- \`${neutraliseMarkup(shortPath(f.path))}:${f.line}\` (${f.category}) ${neutraliseMarkup(clip(f.message, maxChars)).replaceAll("\n", " ")} _(${where})_`;
}

function renderFooter(view: SummaryView): string {
  const usage = view.usage.map((u) => {
    const cost =
      u.costUsd === undefined
        ? ""
        : ` (≈ $${u.costUsd < 0.01 ? u.costUsd.toFixed(4) : u.costUsd.toFixed(2)})`;
    const requests = `${u.requests} ${u.requests === 1 ? "request" : "requests"}${u.cached > 0 ? `, ${u.cached} from cache` : ""}`;
    const cached = u.cachedInputTokens
      ? ` (${u.cachedInputTokens.toLocaleString("en-US")} cached)`
      : "";
    return ` · ${u.provider} ${u.model}: ${u.inputTokens.toLocaleString("en-US")} tokens in${cached} / ${u.outputTokens.toLocaleString("en-US")} out${cost}, ${requests}`;
  });
  const acted =
    view.actedOn && view.actedOn.total > 0
      ? ` · ${Math.round((view.actedOn.actedOn / view.actedOn.total) * 100)} % of Critic's comments in this repository acted on in 30 days (${view.actedOn.actedOn} of ${view.actedOn.total})`
      : "";
  return `<sub>Reviewed \`${view.headSha.slice(0, 7)}\` by ${view.servedBy}${usage.join("")}${acted}${renderInstructionFiles(view.instructionFiles ?? [])} · Critic ${view.version}</sub>`;
}

/** " · Repository instructions: `AGENTS.md`, …" (ten named, the rest counted), or "". */
function renderInstructionFiles(files: readonly string[]): string {
  if (files.length === 0) return "";
  const named = files
    .slice(0, 10)
    .map(
      (f) =>
        `\`${neutraliseMarkup(f.length > 120 ? `${f.slice(0, 119)}…` : f).replace(/[`<>\n]/g, "_")}\``,
    );
  const more = files.length > 10 ? ` and ${files.length - 10} more` : "";
  return ` · Repository instructions: ${named.join(", ")}${more}`;
}
