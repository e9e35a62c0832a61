import type { SubmissionView } from "../../src/console/console-api-types.js";
import { errorMessage, postJson } from "./api.js";
import { clear, field, h, statusLine } from "./dom.js";
import { type CodeEditor, createEditor, languageFromName } from "./editor.js";
import { fileResult } from "./findings.js";
import { notice, type PageContext, pageHeading } from "./page.js";
import { followSubmission, statusText } from "./poll.js";
import { submissionHash } from "./router.js";

/** The server's limit for one file: a larger one is refused before it is read. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** What was in the form when the person left the page, so coming back loses nothing. */
const draft = { filename: "", language: "", content: "" };

/** The editor beside (on a phone, above) the result pane; shared with a submission's own page. */
export function fileWorkspace(
  editorHost: HTMLElement,
  pane: HTMLElement,
  editable = false,
): HTMLElement {
  return h(
    "div",
    { class: "workspace" },
    h(
      "div",
      { class: "editor-pane" },
      editorHost,
      h(
        "p",
        { class: "hint" },
        `${editable ? "Ctrl-Enter reviews the code. " : ""}Tab leaves the editor. F8 moves to the next finding; Ctrl-Shift-M lists them all.`,
      ),
    ),
    pane,
  );
}

/** Shows a finished (or failed) single-file submission: findings on their lines and beside. */
export function showFileResult(
  view: SubmissionView,
  editor: CodeEditor,
  pane: HTMLElement,
  status: ReturnType<typeof statusLine>,
): void {
  status.set(statusText(view), view.status === "failed" ? "error" : "ok");
  clear(pane);
  if (view.status !== "done" || !view.result) return;
  // The server redacts secrets, so its copy is what the findings' lines refer to.
  if (view.file && view.file.content !== editor.text()) editor.setText(view.file.content);
  editor.setFindings(view.result.findings);
  pane.append(fileResult(view.id, view.result, (line) => editor.goToLine(line)));
}

export function renderReviewPage({ session, main, signal }: PageContext): void {
  main.append(pageHeading("Review a file"));
  if (!session.canSubmit) {
    main.append(notice(session.reason ?? "You may not submit files here."));
    return;
  }

  const filename = h("input", {
    type: "text",
    name: "filename",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "e.g. app.py",
  });
  filename.value = draft.filename;
  const language = h(
    "select",
    { name: "language" },
    h("option", { value: "" }, "Detect from name"),
    ...session.languages.map((id) => h("option", { value: id }, id)),
  );
  language.value = session.languages.includes(draft.language) ? draft.language : "";
  const upload = h("input", { type: "file", name: "upload" });
  const submit = h("button", { type: "submit", class: "primary" }, "Review");
  const status = statusLine();
  const editorHost = h("div", { class: "editor" });
  const pane = h(
    "div",
    { class: "result-pane" },
    h(
      "p",
      { class: "placeholder-text" },
      "Paste or upload code, name the file and press Review. Findings appear on their lines and here.",
    ),
  );
  const form = h(
    "form",
    { class: "review-form", novalidate: true },
    h(
      "div",
      { class: "toolbar" },
      field("File name", filename),
      field("Language", language),
      field("Upload a file", upload),
      h("div", { class: "actions" }, submit),
    ),
    status.el,
    fileWorkspace(editorHost, pane, true),
  );
  main.append(form);

  const mode = () => language.value || languageFromName(filename.value);
  const editor = createEditor({
    parent: editorHost,
    doc: draft.content,
    language: mode(),
    label: "Code",
    placeholder: "Paste code here, or upload a file.",
    onSubmit: () => form.requestSubmit(),
  });
  signal.addEventListener("abort", () => {
    draft.filename = filename.value;
    draft.language = language.value;
    draft.content = editor.text();
    editor.destroy();
  });
  filename.addEventListener("input", () => editor.setLanguage(mode()));
  language.addEventListener("change", () => editor.setLanguage(mode()));

  upload.addEventListener("change", async () => {
    const file = upload.files?.[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      status.set(`${file.name} is over 5 MB; review a smaller file.`, "error");
      return;
    }
    try {
      editor.setText(await file.text());
    } catch (error) {
      status.set(`${file.name} could not be read: ${errorMessage(error)}`, "error");
      return;
    }
    filename.value = file.name;
    editor.setLanguage(mode());
    editor.setFindings([]);
    status.set(`Read ${file.name}.`);
  });

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const name = filename.value.trim();
    const content = editor.text();
    if (!name) {
      status.set("Give the file a name, such as app.py: it tells Critic the language.", "error");
      filename.focus();
      return;
    }
    if (!content.trim()) {
      status.set("The editor is empty: paste or upload the code to review.", "error");
      editor.view.focus();
      return;
    }
    busy = true;
    submit.disabled = true;
    // Locked while reviewed: the findings will point at lines of this text.
    editor.setReadOnly(true);
    editor.setFindings([]);
    clear(pane);
    status.set("Sending…", "busy");
    try {
      const body = language.value
        ? { filename: name, content, language: language.value }
        : { filename: name, content };
      const accepted = await postJson<{ id: string }>("/reviews", body, session);
      if (!accepted) throw new Error("Critic accepted the file but gave no id.");
      pane.append(
        h(
          "p",
          { class: "placeholder-text" },
          "This review is also kept in ",
          h("a", { href: submissionHash(accepted.id) }, "your submissions"),
          ".",
        ),
      );
      const final = await followSubmission(
        accepted.id,
        signal,
        (view) => status.set(statusText(view), "busy"),
        (message) => status.set(message, "error"),
      );
      if (final) showFileResult(final, editor, pane, status);
    } catch (error) {
      if (!signal.aborted) status.set(errorMessage(error), "error");
    } finally {
      busy = false;
      submit.disabled = false;
      if (!signal.aborted) editor.setReadOnly(false);
    }
  });
}
