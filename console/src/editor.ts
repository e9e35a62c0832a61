import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { type Diagnostic, lintGutter, lintKeymap, setDiagnostics } from "@codemirror/lint";
import {
  Compartment,
  EditorState,
  type Extension,
  type Range,
  StateEffect,
  StateField,
} from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
  WidgetType,
} from "@codemirror/view";
import { EditorView, minimalSetup } from "codemirror";
import type { FindingView } from "../../src/console/console-api-types.js";
import { h } from "./dom.js";
import { SEVERITY_LABEL, SEVERITY_RANK } from "./findings.js";

/** The editor's mode for a language id: highlighting only where a grammar is bundled. */
function modeFor(language: string | undefined): Extension {
  switch (language) {
    case "javascript":
      return javascript();
    case "jsx":
      return javascript({ jsx: true });
    case "typescript":
      return javascript({ typescript: true });
    case "tsx":
      return javascript({ typescript: true, jsx: true });
    case "python":
      return python();
    default:
      return [];
  }
}

// Mirrors the server's own table (src/engine/static/languages.ts), for highlighting only: the
// server decides what the file is reviewed as.
const BY_EXTENSION: Record<string, string> = {
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "jsx",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  py: "python",
  pyw: "python",
  go: "go",
  java: "java",
  rb: "ruby",
  php: "php",
  rs: "rust",
  sh: "bash",
  bash: "bash",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
};

export function languageFromName(filename: string): string | undefined {
  const name = filename.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  return dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
}

const CM_SEVERITY = { critical: "error", warning: "warning", suggestion: "info" } as const;

/** The finding's words under its line, as a reviewer's comment sits under the line in a diff. */
class FindingNote extends WidgetType {
  readonly finding: FindingView;
  constructor(finding: FindingView) {
    super();
    this.finding = finding;
  }
  override eq(other: FindingNote): boolean {
    const a = this.finding;
    const b = other.finding;
    return (
      a.line === b.line &&
      a.severity === b.severity &&
      a.category === b.category &&
      a.message === b.message
    );
  }
  toDOM(): HTMLElement {
    const { severity, category, message, line } = this.finding;
    // The outer box pads rather than its body having margins: CodeMirror measures a block
    // widget's height without margins, and the gutter would drift by the difference.
    return h(
      "div",
      { class: `cm-finding-note cm-finding-note-${severity}`, "data-line": line },
      h(
        "div",
        { class: "cm-finding-body" },
        h("span", { class: "cm-finding-badge" }, SEVERITY_LABEL[severity]),
        " ",
        h("span", { class: "cm-finding-category" }, category),
        " ",
        h("span", { class: "cm-finding-message" }, message),
      ),
    );
  }
  override ignoreEvent(): boolean {
    return false;
  }
}

const setFindingsEffect = StateEffect.define<readonly FindingView[]>();

function decorate(state: EditorState, findings: readonly FindingView[]): DecorationSet {
  const ranges: Range<Decoration>[] = [];
  const worst = new Map<number, FindingView["severity"]>();
  for (const finding of findings) {
    const line = clampLine(state, finding.line);
    const current = worst.get(line);
    if (current === undefined || SEVERITY_RANK[finding.severity] < SEVERITY_RANK[current]) {
      worst.set(line, finding.severity);
    }
    ranges.push(
      Decoration.widget({ widget: new FindingNote(finding), block: true, side: 1 }).range(
        state.doc.line(line).to,
      ),
    );
  }
  for (const [line, severity] of worst) {
    ranges.push(
      Decoration.line({
        class: `cm-finding-line cm-finding-line-${severity}`,
        attributes: { "data-finding-severity": severity },
      }).range(state.doc.line(line).from),
    );
  }
  return Decoration.set(ranges, true);
}

const findingsField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setFindingsEffect)) next = decorate(tr.state, effect.value);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

function clampLine(state: EditorState, line: number): number {
  return Math.min(Math.max(1, Math.trunc(line) || 1), state.doc.lines);
}

function diagnosticsFor(state: EditorState, findings: readonly FindingView[]): Diagnostic[] {
  return findings.map((finding) => {
    const line = state.doc.line(clampLine(state, finding.line));
    // Underline the code, not the indentation before it.
    const indent = /^\s*/.exec(line.text)?.[0].length ?? 0;
    const from = indent < line.length ? line.from + indent : line.from;
    return {
      from,
      to: line.to,
      severity: CM_SEVERITY[finding.severity],
      source: finding.category,
      message: finding.suggestion
        ? `${finding.message}\n\nSuggestion: ${finding.suggestion}`
        : finding.message,
    };
  });
}

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "14px", backgroundColor: "#ffffff", color: "#1f2328" },
  "&.cm-focused": { outline: "3px solid #1d4ed8", outlineOffset: "-3px" },
  ".cm-scroller": {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
  ".cm-gutters": { backgroundColor: "#f6f8fa", color: "#57606a", borderRight: "1px solid #d0d7de" },
  ".cm-activeLineGutter": { backgroundColor: "#e7ecf2", color: "#1f2328" },
  ".cm-activeLine": { backgroundColor: "#f3f6fa" },
  ".cm-finding-line-critical": { backgroundColor: "#fde8e8" },
  ".cm-finding-line-warning": { backgroundColor: "#fdf3d7" },
  ".cm-finding-line-suggestion": { backgroundColor: "#e6f0fc" },
  ".cm-finding-note": {
    padding: "2px 8px 4px 8px",
    fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    fontSize: "13px",
    lineHeight: "1.4",
    color: "#1f2328",
  },
  ".cm-finding-body": {
    padding: "4px 8px",
    borderLeft: "4px solid",
    borderRadius: "3px",
    whiteSpace: "pre-wrap",
  },
  ".cm-finding-note-critical .cm-finding-body": {
    borderColor: "#b42318",
    backgroundColor: "#fef3f2",
  },
  ".cm-finding-note-warning .cm-finding-body": {
    borderColor: "#9a6700",
    backgroundColor: "#fff8e6",
  },
  ".cm-finding-note-suggestion .cm-finding-body": {
    borderColor: "#0b5cad",
    backgroundColor: "#eef5fd",
  },
  ".cm-finding-badge": { fontWeight: "700" },
  ".cm-finding-note-critical .cm-finding-badge": { color: "#b42318" },
  ".cm-finding-note-warning .cm-finding-badge": { color: "#7a5200" },
  ".cm-finding-note-suggestion .cm-finding-badge": { color: "#0b5cad" },
  ".cm-finding-category": { color: "#57606a", fontStyle: "italic" },
});

function submitWith(submit: () => void): () => boolean {
  return () => {
    submit();
    return true;
  };
}

export type CodeEditor = {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  setLanguage(language: string | undefined): void;
  setReadOnly(readOnly: boolean): void;
  /** Shows findings on their lines (replacing any shown); an empty list clears them. */
  setFindings(findings: readonly FindingView[]): void;
  /** Moves the cursor to a 1-based line, scrolls it into view and focuses the editor. */
  goToLine(line: number): void;
  destroy(): void;
};

export function createEditor(options: {
  parent: HTMLElement;
  doc?: string;
  language?: string | undefined;
  readOnly?: boolean;
  /** The accessible name of the editing area. */
  label: string;
  placeholder?: string;
  /** Ctrl-Enter (Cmd-Enter on a Mac) in the editor: submits without reaching for the button. */
  onSubmit?: () => void;
}): CodeEditor {
  const language = new Compartment();
  const readOnly = new Compartment();
  const readOnlyExtensions = (on: boolean): Extension => [
    EditorState.readOnly.of(on),
    EditorView.contentAttributes.of({ "aria-readonly": on ? "true" : "false" }),
  ];
  // CodeMirror styles itself through a <style> element in a document, which the page's
  // Content-Security-Policy (style-src 'self', no nonce) refuses; in a shadow root it adopts a
  // constructed stylesheet instead, which the policy allows. So the editor lives in one.
  const shadow = options.parent.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(":host { display: block; } .cm-mount { height: 100%; }");
  shadow.adoptedStyleSheets = [sheet];
  const mount = document.createElement("div");
  mount.className = "cm-mount";
  shadow.append(mount);
  const view = new EditorView({
    parent: mount,
    root: shadow,
    state: EditorState.create({
      doc: options.doc ?? "",
      extensions: [
        // The lean set: no autocompletion, folding or search panel, which would double the bundle.
        minimalSetup,
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        EditorView.lineWrapping,
        lintGutter(),
        keymap.of([
          ...lintKeymap,
          ...(options.onSubmit ? [{ key: "Mod-Enter", run: submitWith(options.onSubmit) }] : []),
        ]),
        findingsField,
        theme,
        EditorView.contentAttributes.of({ "aria-label": options.label }),
        options.placeholder ? placeholder(options.placeholder) : [],
        language.of(modeFor(options.language)),
        readOnly.of(readOnlyExtensions(options.readOnly ?? false)),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setLanguage(id) {
      view.dispatch({ effects: language.reconfigure(modeFor(id)) });
    },
    setReadOnly(on) {
      view.dispatch({ effects: readOnly.reconfigure(readOnlyExtensions(on)) });
    },
    setFindings(findings) {
      view.dispatch(setDiagnostics(view.state, diagnosticsFor(view.state, findings)));
      view.dispatch({ effects: setFindingsEffect.of(findings) });
    },
    goToLine(line) {
      const target = view.state.doc.line(clampLine(view.state, line));
      view.dispatch({
        selection: { anchor: target.from },
        effects: EditorView.scrollIntoView(target.from, { y: "center" }),
      });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
