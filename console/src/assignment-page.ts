import type { SubmissionView } from "../../src/console/console-api-types.js";
import { errorMessage, postJson } from "./api.js";
import { clear, field, h, statusLine } from "./dom.js";
import { assignmentResult } from "./findings.js";
import { notice, type PageContext, pageHeading } from "./page.js";
import { followSubmission, statusText } from "./poll.js";
import { submissionHash } from "./router.js";

const LEVELS = ["Junior", "Middle", "Senior"] as const;

/** A progress bar of files reviewed; indeterminate until the server knows how many there are. */
export function progressMeter(): { el: HTMLElement; update(view: SubmissionView): void } {
  const bar = h("progress", { class: "files-progress", "aria-label": "Files reviewed" });
  // The live status line already says it in words; this is for the eye.
  const text = h("span", { class: "progress-text", "aria-hidden": "true" });
  const el = h("div", { class: "progress", hidden: true, "data-testid": "progress" }, bar, text);
  return {
    el,
    update(view) {
      const active = view.status === "queued" || view.status === "running";
      el.hidden = !active && !view.progress;
      const progress = view.progress;
      if (progress && progress.total > 0) {
        bar.max = progress.total;
        bar.value = progress.done;
        text.textContent = `${progress.done} of ${progress.total} files`;
      } else {
        bar.removeAttribute("value");
        text.textContent = view.status === "queued" ? "Waiting to start" : "Finding the files";
      }
    },
  };
}

/** Follows an assignment to its end, drawing progress, status and then the result. */
export async function followAssignment(
  id: string,
  signal: AbortSignal,
  parts: {
    meter: ReturnType<typeof progressMeter>;
    status: ReturnType<typeof statusLine>;
    out: HTMLElement;
  },
): Promise<SubmissionView | undefined> {
  const show = (view: SubmissionView) => {
    parts.meter.update(view);
    const tone = view.status === "failed" ? "error" : view.status === "done" ? "ok" : "busy";
    parts.status.set(statusText(view), tone);
  };
  const final = await followSubmission(id, signal, show, (m) => parts.status.set(m, "error"));
  if (!final) return undefined;
  show(final);
  clear(parts.out);
  if (final.status === "done" && final.result) parts.out.append(assignmentResult(id, final.result));
  return final;
}

export function renderAssignmentPage({ session, main, signal }: PageContext): void {
  main.append(pageHeading("Review an assignment"));
  if (!session.canSubmit) {
    main.append(notice(session.reason ?? "You may not submit assignments here."));
    return;
  }
  if (!session.assignments) {
    main.append(
      notice(
        "Assignment reviews need the GitHub App: Critic reads the candidate's repository through it, and no App is registered on this server. Single files can still be reviewed.",
      ),
    );
    return;
  }

  const url = h("input", {
    type: "url",
    name: "github_repo_url",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://github.com/owner/repository",
  });
  const description = h("textarea", {
    name: "assignment_description",
    required: true,
    rows: 8,
  });
  const level = h(
    "select",
    { name: "candidate_level" },
    ...LEVELS.map((l) => h("option", { value: l }, l)),
  );
  level.value = "Middle";
  const ref = h("input", {
    type: "text",
    name: "ref",
    autocomplete: "off",
    spellcheck: "false",
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Review assignment");
  const status = statusLine();
  const meter = progressMeter();
  const out = h("div", { class: "assignment-result" });
  const form = h(
    "form",
    { class: "assignment-form", novalidate: true },
    field("Repository URL", url),
    field("Assignment", description, "What the candidate was asked to build."),
    field("Candidate level", level),
    field("Branch, tag or commit (optional)", ref, "Leave empty for the default branch."),
    h("div", { class: "actions" }, submit),
  );
  main.append(form, status.el, meter.el, out);

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const repo = url.value.trim();
    const text = description.value.trim();
    if (!/^https:\/\/\S+$/.test(repo)) {
      status.set(
        "Give the repository's https URL, such as https://github.com/owner/repo.",
        "error",
      );
      url.focus();
      return;
    }
    if (!text) {
      status.set("Describe the assignment: Critic rates the work against it.", "error");
      description.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    clear(out);
    status.set("Sending…", "busy");
    try {
      const body = {
        github_repo_url: repo,
        assignment_description: text,
        candidate_level: level.value,
        ...(ref.value.trim() ? { ref: ref.value.trim() } : {}),
      };
      const accepted = await postJson<{ id: string }>("/assignments", body, session);
      if (!accepted) throw new Error("Critic accepted the assignment but gave no id.");
      out.append(
        h(
          "p",
          { class: "placeholder-text" },
          "You may leave this page: the review goes on, and is kept in ",
          h("a", { href: submissionHash(accepted.id) }, "your submissions"),
          ".",
        ),
      );
      await followAssignment(accepted.id, signal, { meter, status, out });
    } catch (error) {
      if (!signal.aborted) status.set(errorMessage(error), "error");
    } finally {
      busy = false;
      submit.disabled = false;
    }
  });
}
