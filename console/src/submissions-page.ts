import type {
  SubmissionStatus,
  SubmissionSummary,
  SubmissionView,
} from "../../src/console/console-api-types.js";
import { errorMessage, getJson } from "./api.js";
import { followAssignment, progressMeter } from "./assignment-page.js";
import { formatRating, formatWhen, h, scrollTable, statusLine, table } from "./dom.js";
import { createEditor } from "./editor.js";
import { notice, type PageContext, pageHeading } from "./page.js";
import { followSubmission, statusText } from "./poll.js";
import { fileWorkspace, showFileResult } from "./review-page.js";
import { submissionHash } from "./router.js";

const STATUS_LABEL: Record<SubmissionStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

function statusBadge(status: SubmissionStatus): HTMLElement {
  return h("span", { class: `badge status-${status}` }, STATUS_LABEL[status]);
}

export async function renderSubmissionsPage({ main, signal }: PageContext): Promise<void> {
  main.append(pageHeading("My submissions"));
  const body = h("div", { class: "loading" }, "Loading…");
  main.append(body);
  let submissions: SubmissionSummary[];
  try {
    ({ submissions } = await getJson<{ submissions: SubmissionSummary[] }>("/submissions", signal));
  } catch (error) {
    if (signal.aborted) return;
    body.replaceWith(notice(errorMessage(error), "error"));
    return;
  }
  if (signal.aborted) return;
  if (submissions.length === 0) {
    body.replaceWith(
      h(
        "p",
        { class: "notice notice-info" },
        "Nothing yet. ",
        h("a", { href: "#/review" }, "Review a file"),
        " or ",
        h("a", { href: "#/assignment" }, "an assignment"),
        " and it appears here.",
      ),
    );
    return;
  }
  body.replaceWith(
    scrollTable(
      table(
        "Your submissions, newest first",
        ["When", "Kind", "Title", "Status", "Rating"],
        submissions.map((s) => [
          formatWhen(s.created_at),
          s.kind === "file" ? "File" : "Assignment",
          h("a", { href: submissionHash(s.id), class: "submission-link" }, s.title),
          statusBadge(s.status),
          formatRating(s.rating),
        ]),
        "data submissions-table",
      ),
    ),
  );
}

/** One submission: a file in a read-only editor with its findings inline, or an assignment's result. */
export async function renderSubmissionPage(ctx: PageContext, id: string): Promise<void> {
  const { main, signal } = ctx;
  const heading = pageHeading("Submission");
  main.append(
    h("p", { class: "back" }, h("a", { href: "#/submissions" }, "← All submissions")),
    heading,
  );
  const body = h("div", { class: "loading" }, "Loading…");
  main.append(body);
  let view: SubmissionView;
  try {
    view = await getJson<SubmissionView>(`/submissions/${encodeURIComponent(id)}`, signal);
  } catch (error) {
    if (signal.aborted) return;
    body.replaceWith(notice(errorMessage(error), "error"));
    return;
  }
  if (signal.aborted) return;
  heading.textContent = view.title;
  document.title = `${view.title} · Critic console`;
  const status = statusLine();
  let badge = statusBadge(view.status);
  const meta = h(
    "p",
    { class: "submission-meta" },
    view.kind === "file" ? "File" : "Assignment",
    " · submitted ",
    formatWhen(view.created_at),
    " · ",
    badge,
  );
  const settle = (final: SubmissionView) => {
    const next = statusBadge(final.status);
    badge.replaceWith(next);
    badge = next;
  };
  const running = view.status === "queued" || view.status === "running";

  if (view.kind === "file") {
    const editorHost = h("div", { class: "editor" });
    const pane = h("div", { class: "result-pane" });
    body.replaceWith(meta, status.el, fileWorkspace(editorHost, pane));
    const editor = createEditor({
      parent: editorHost,
      doc: view.file?.content ?? "",
      language: view.file?.language,
      readOnly: true,
      label: `Code of ${view.title}`,
    });
    signal.addEventListener("abort", () => editor.destroy());
    if (!running) {
      showFileResult(view, editor, pane, status);
      return;
    }
    status.set(statusText(view), "busy");
    try {
      const final = await followSubmission(
        id,
        signal,
        (v) => status.set(statusText(v), "busy"),
        (m) => status.set(m, "error"),
      );
      if (final) {
        settle(final);
        showFileResult(final, editor, pane, status);
      }
    } catch (error) {
      if (!signal.aborted) status.set(errorMessage(error), "error");
    }
    return;
  }

  const meter = progressMeter();
  const out = h("div", { class: "assignment-result" });
  body.replaceWith(meta, status.el, meter.el, out);
  meter.update(view);
  status.set(statusText(view), view.status === "failed" ? "error" : running ? "busy" : "ok");
  try {
    const final = await followAssignment(id, signal, { meter, status, out });
    if (final) settle(final);
  } catch (error) {
    if (!signal.aborted) status.set(errorMessage(error), "error");
  }
}
