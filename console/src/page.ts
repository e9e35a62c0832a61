import type { SessionView } from "../../src/console/console-api-types.js";
import { h } from "./dom.js";

/** What every page is given: who is signed in, where to draw, and when the person has left. */
export type PageContext = {
  session: SessionView;
  main: HTMLElement;
  /** Aborts when the person navigates away: polling stops, editors are destroyed. */
  signal: AbortSignal;
};

/** The page's one `<h1>`; focus moves to it on navigation so screen readers start there. */
export function pageHeading(text: string): HTMLHeadingElement {
  return h("h1", { tabindex: -1, class: "page-title" }, text);
}

/** A boxed message: why a form is missing, an empty list, a refusal. */
export function notice(text: string, tone: "info" | "error" = "info"): HTMLElement {
  return h("p", { class: `notice notice-${tone}`, role: tone === "error" ? "alert" : null }, text);
}
