import type { SessionView } from "../../src/console/console-api-types.js";
import { errorMessage, getJson, postJson } from "./api.js";
import { renderAssignmentPage } from "./assignment-page.js";
import { h } from "./dom.js";
import { renderOperatorPage } from "./operator-page.js";
import { notice, type PageContext, pageHeading } from "./page.js";
import { renderReviewPage } from "./review-page.js";
import { renderReviewsPage } from "./reviews-page.js";
import { type Route, startRouter } from "./router.js";
import { renderSubmissionPage, renderSubmissionsPage } from "./submissions-page.js";

type NavItem = { page: Route["page"]; href: string; label: string };

function navItems(session: SessionView): NavItem[] {
  const items: NavItem[] = [
    { page: "review", href: "#/review", label: "Review a file" },
    { page: "assignment", href: "#/assignment", label: "Assignment" },
    { page: "submissions", href: "#/submissions", label: "My submissions" },
    { page: "reviews", href: "#/reviews", label: "Pull-request reviews" },
  ];
  if (session.operator) items.push({ page: "operator", href: "#/operator", label: "Operator" });
  return items;
}

const TITLES: Record<Route["page"], string> = {
  review: "Review a file",
  assignment: "Review an assignment",
  submissions: "My submissions",
  submission: "Submission",
  reviews: "Pull-request reviews",
  operator: "Operator dashboard",
  "not-found": "Not found",
};

function header(session: SessionView, links: Map<Route["page"], HTMLAnchorElement>): HTMLElement {
  const signOut = h("button", { type: "button", class: "signout" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    try {
      await postJson("/signout", {}, session);
    } catch {
      // Signed out or not, the sign-in page is where to go next.
    }
    location.href = "/console";
  });
  const who =
    session.kind === "operator"
      ? h("span", { class: "who" }, "Signed in with an operator key")
      : h(
          "span",
          { class: "who" },
          "Signed in as ",
          h("strong", { class: "login" }, session.login),
        );
  return h(
    "header",
    { class: "topbar" },
    h(
      "a",
      { class: "brand", href: "#/review" },
      "Critic",
      h("span", { class: "brand-sub" }, " console"),
    ),
    h(
      "nav",
      { "aria-label": "Console" },
      h("ul", { class: "nav-list" }, ...[...links.values()].map((link) => h("li", {}, link))),
    ),
    h("div", { class: "account" }, who, signOut),
  );
}

function render(route: Route, ctx: PageContext): void | Promise<void> {
  switch (route.page) {
    case "review":
      return renderReviewPage(ctx);
    case "assignment":
      return renderAssignmentPage(ctx);
    case "submissions":
      return renderSubmissionsPage(ctx);
    case "submission":
      return renderSubmissionPage(ctx, route.id);
    case "reviews":
      return renderReviewsPage(ctx);
    case "operator":
      return renderOperatorPage(ctx);
    case "not-found":
      ctx.main.append(
        pageHeading("No such page"),
        h(
          "p",
          {},
          "That address is not a page of the console. ",
          h("a", { href: "#/review" }, "Review a file"),
          ".",
        ),
      );
      return;
  }
}

async function start(app: HTMLElement): Promise<void> {
  let session: SessionView;
  try {
    session = await getJson<SessionView>("/session");
  } catch (error) {
    app.replaceChildren(notice(`The console could not start: ${errorMessage(error)}`, "error"));
    return;
  }
  const links = new Map(
    navItems(session).map((item) => [item.page, h("a", { href: item.href }, item.label)] as const),
  );
  const main = h("main", { id: "main", tabindex: -1 });
  app.replaceChildren(header(session, links), main);

  let current: AbortController | undefined;
  let first = true;
  startRouter((route) => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    main.replaceChildren();
    const active = route.page === "submission" ? "submissions" : route.page;
    for (const [page, link] of links) {
      if (page === active) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.title = `${TITLES[route.page]} · Critic console`;
    void Promise.resolve(render(route, { session, main, signal: controller.signal })).catch(
      (error: unknown) => {
        if (!controller.signal.aborted) main.append(notice(errorMessage(error), "error"));
      },
    );
    // Moving focus to the new heading tells screen readers the page changed; not on first load,
    // where the browser's own start is right.
    if (!first) main.querySelector<HTMLElement>("h1")?.focus();
    first = false;
  });
}

const app = document.getElementById("app");
if (app) void start(app);
