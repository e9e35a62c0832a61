/**
 * Building DOM without HTML strings: every string from the server is treated as hostile, so text
 * only ever reaches the page through `textContent` and attributes through `setAttribute`.
 */

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    // `style` would be refused by the Content-Security-Policy; the stylesheet's classes do it.
    if (name === "style" || name.startsWith("on")) throw new Error(`refusing attribute ${name}`);
    el.setAttribute(name, value === true ? "" : String(value));
  }
}

/** An HTML element with attributes and children (text children become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element: the charts are drawn with these, no chart library. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

let idCounter = 0;
/** A document-unique id, for `aria-labelledby` and `<label for>`. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled form field: the label is always a real `<label for>`, so the field has a name. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid("field");
  control.id = id;
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label));
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    wrap.append(control, h("p", { class: "hint", id: hintId }, hint));
  } else {
    wrap.append(control);
  }
  return wrap;
}

/** A live status line: screen readers announce it, and it only changes when the words do. */
export function statusLine(): { el: HTMLElement; set(text: string, tone?: Tone): void } {
  const el = h("p", {
    class: "status",
    role: "status",
    "aria-live": "polite",
    "data-testid": "status",
  });
  return {
    el,
    set(text, tone = "info") {
      if (el.textContent !== text) el.textContent = text;
      el.dataset.tone = tone;
    },
  };
}
export type Tone = "info" | "busy" | "ok" | "error";

export function formatWhen(iso: string): Node {
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: iso }, text);
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return "—";
  if (usd === 0) return "$0";
  // Reviews cost fractions of a cent, so small sums keep their significant digits.
  return `$${usd < 0.01 ? usd.toFixed(4) : usd < 1 ? usd.toFixed(3) : usd.toFixed(2)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatRating(rating: number | null | undefined): string {
  return rating === null || rating === undefined ? "—" : `${rating}/10`;
}

/** A table with a caption, header row and body; cells are children, so links fit. */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  className = "data",
): HTMLTableElement {
  return h(
    "table",
    { class: className },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headers.map((head) => h("th", { scope: "col" }, head)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell))))),
  );
}

/**
 * A table that scrolls sideways on a phone rather than squeezing its columns; focusable, so the
 * keyboard can scroll it too.
 */
export function scrollTable(t: HTMLTableElement): HTMLElement {
  const label = t.caption?.textContent ?? "Table";
  return h("div", { class: "table-scroll", tabindex: 0, role: "region", "aria-label": label }, t);
}
