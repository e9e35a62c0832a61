import type { ReviewRow, ReviewsView } from "../../src/console/console-api-types.js";
import { errorMessage, getJson } from "./api.js";
import {
  formatCost,
  formatDuration,
  formatRating,
  formatWhen,
  h,
  scrollTable,
  table,
} from "./dom.js";
import { notice, type PageContext, pageHeading } from "./page.js";

/** Pull-request reviews as a table; the operator dashboard shows its recent ones the same way. */
export function reviewsTable(caption: string, reviews: readonly ReviewRow[]): HTMLElement {
  return scrollTable(
    table(
      caption,
      [
        "Repository",
        "PR",
        "Head",
        "When",
        "Rating",
        "Duration",
        "Cost",
        "Provider",
        "Outcome",
        "Critical",
        "Warnings",
        "Suggestions",
      ],
      reviews.map((r) => [
        r.repository,
        `#${r.pull_number}`,
        h("code", { title: r.head_sha }, r.head_sha.slice(0, 7)),
        formatWhen(r.created_at),
        formatRating(r.rating),
        formatDuration(r.duration_ms),
        formatCost(r.cost_usd),
        r.provider ?? "—",
        h("span", { class: `outcome outcome-${r.outcome.replace(/[^a-z0-9-]/gi, "")}` }, r.outcome),
        String(r.critical),
        String(r.warning),
        String(r.suggestion),
      ]),
      "data reviews-table",
    ),
  );
}

export async function renderReviewsPage({ session, main, signal }: PageContext): Promise<void> {
  main.append(pageHeading("Pull-request reviews"));
  const scope = session.operator
    ? "As an operator you see every repository's reviews."
    : session.repositories.length > 0
      ? `Reviews in the ${session.repositories.length === 1 ? "repository" : `${session.repositories.length} repositories`} you can see on GitHub.`
      : "";
  if (scope) main.append(h("p", { class: "lede" }, scope));
  const body = h("div", { class: "loading" }, "Loading…");
  main.append(body);
  try {
    const { reviews } = await getJson<ReviewsView>("/reviews", signal);
    if (signal.aborted) return;
    body.replaceWith(
      reviews.length === 0
        ? notice(
            session.operator || session.repositories.length > 0
              ? "No pull-request reviews are recorded yet."
              : "No repository you can see on GitHub has Critic installed, so there are no reviews to show.",
          )
        : reviewsTable("Pull-request reviews, newest first", reviews),
    );
  } catch (error) {
    if (!signal.aborted) body.replaceWith(notice(errorMessage(error), "error"));
  }
}
