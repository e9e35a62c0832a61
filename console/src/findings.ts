import type { FindingView, SubmissionView } from "../../src/console/console-api-types.js";
import { downloadHref } from "./api.js";
import { type Child, formatCost, formatRating, h, uid } from "./dom.js";

type Severity = FindingView["severity"];
type Result = NonNullable<SubmissionView["result"]>;

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: "Critical",
  warning: "Warning",
  suggestion: "Suggestion",
};
/** Lower is worse: the order findings are listed in, and which wins a line. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, suggestion: 2 };

export function severityBadge(severity: Severity): HTMLElement {
  return h("span", { class: `badge severity-${severity}` }, SEVERITY_LABEL[severity]);
}

function byPlace(a: FindingView, b: FindingView): number {
  return (
    (a.path ?? "").localeCompare(b.path ?? "") ||
    a.line - b.line ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]
  );
}

function counts(findings: readonly FindingView[]): string {
  const n = (severity: Severity) => findings.filter((f) => f.severity === severity).length;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return [
    plural(n("critical"), "critical"),
    plural(n("warning"), "warning"),
    plural(n("suggestion"), "suggestion"),
  ].join(", ");
}

function findingBody(finding: FindingView, place: string): Child[] {
  return [
    h("span", { class: "finding-place" }, place),
    " ",
    severityBadge(finding.severity),
    " ",
    h("span", { class: "finding-category" }, finding.category),
    h("span", { class: "finding-message" }, finding.message),
  ];
}

function findingItem(finding: FindingView, place: string, onJump?: (line: number) => void) {
  const item = h("li", {
    class: `finding finding-${finding.severity}`,
    "data-line": finding.line,
    "data-severity": finding.severity,
  });
  if (onJump) {
    const button = h(
      "button",
      { type: "button", class: "finding-jump", title: `Show line ${finding.line} in the editor` },
      ...findingBody(finding, place),
    );
    button.addEventListener("click", () => onJump(finding.line));
    item.append(button);
  } else {
    item.append(h("div", { class: "finding-head" }, ...findingBody(finding, place)));
  }
  if (finding.suggestion) {
    item.append(h("p", { class: "finding-suggestion" }, "Suggestion: ", finding.suggestion));
  }
  return item;
}

function verdict(result: Result): HTMLElement {
  const tone = result.rating >= 8 ? "good" : result.rating >= 5 ? "fair" : "poor";
  return h(
    "p",
    { class: `rating rating-${tone}`, "data-rating": result.rating },
    h("span", { class: "rating-label" }, "Rating"),
    " ",
    h("strong", { class: "rating-value", "data-testid": "rating" }, formatRating(result.rating)),
  );
}

function footer(id: string, result: Result): Child[] {
  return [
    result.notes.length > 0
      ? h(
          "div",
          { class: "notes" },
          h("h3", {}, "Notes"),
          h("ul", {}, ...result.notes.map((note) => h("li", {}, note))),
        )
      : null,
    h(
      "dl",
      { class: "meta" },
      h("dt", {}, "Provider"),
      h("dd", { class: "provider", "data-testid": "provider" }, result.provider),
      h("dt", {}, "Cost"),
      h("dd", { class: "cost", "data-testid": "cost" }, formatCost(result.cost_usd)),
    ),
    h(
      "p",
      { class: "downloads" },
      h(
        "a",
        { href: downloadHref(id, "md"), download: "", class: "button-link" },
        "Download Markdown",
      ),
      " ",
      h(
        "a",
        { href: downloadHref(id, "json"), download: "", class: "button-link" },
        "Download JSON",
      ),
    ),
  ];
}

function section(children: Child[]): HTMLElement {
  const headingId = uid("result");
  return h(
    "section",
    { class: "result", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Result"),
    ...children,
  );
}

/** A single file's result: findings are buttons that move the editor to their line. */
export function fileResult(id: string, result: Result, onJump: (line: number) => void) {
  const findings = [...result.findings].sort(byPlace);
  return section([
    verdict(result),
    h("p", { class: "conclusion", "data-testid": "conclusion" }, result.conclusion),
    h("h3", {}, `Findings (${findings.length})`),
    h("p", { class: "finding-counts" }, counts(findings)),
    findings.length > 0
      ? h(
          "ol",
          { class: "findings", "aria-label": "Findings", "data-testid": "findings" },
          ...findings.map((f) => findingItem(f, `Line ${f.line}`, onJump)),
        )
      : h("p", { class: "empty" }, "No findings."),
    ...footer(id, result),
  ]);
}

/** An assignment's result: the verdict and its reasons, the files read, findings by file. */
export function assignmentResult(id: string, result: Result): HTMLElement {
  const groups = new Map<string, FindingView[]>();
  for (const finding of [...result.findings].sort(byPlace)) {
    const key = finding.path ?? "";
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  const files = result.found_files ?? [];
  return section([
    verdict(result),
    h("p", { class: "conclusion", "data-testid": "conclusion" }, result.conclusion),
    result.rating_rationale
      ? h(
          "div",
          { class: "rationale" },
          h("h3", {}, "Why this rating"),
          h("p", {}, result.rating_rationale),
        )
      : null,
    files.length > 0
      ? h(
          "details",
          { class: "found-files" },
          h("summary", {}, `Files reviewed (${files.length})`),
          h(
            "ul",
            {},
            ...files.map((file) =>
              h(
                "li",
                {},
                h("code", {}, file.path),
                file.note ? h("span", { class: "file-note" }, ` — ${file.note}`) : null,
              ),
            ),
          ),
        )
      : null,
    h("h3", {}, `Findings (${result.findings.length})`),
    h("p", { class: "finding-counts" }, counts(result.findings)),
    result.findings.length === 0 ? h("p", { class: "empty" }, "No findings.") : null,
    h(
      "div",
      { class: "findings-by-file", "data-testid": "findings" },
      ...[...groups].map(([path, findings]) =>
        h(
          "section",
          { class: "file-findings", "data-path": path },
          h("h4", {}, path ? h("code", {}, path) : "The whole repository"),
          h(
            "ol",
            { class: "findings", "aria-label": `Findings in ${path || "the repository"}` },
            ...findings.map((f) => findingItem(f, path ? `${path}:${f.line}` : `Line ${f.line}`)),
          ),
        ),
      ),
    ),
    ...footer(id, result),
  ]);
}
