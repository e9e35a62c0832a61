import type { DashboardView, QueueCounts } from "../../src/console/console-api-types.js";
import { ApiError, errorMessage, getJson } from "./api.js";
import { dayBars, dayLine, namedBars, stackedDayBars } from "./charts.js";
import { formatCost, h, uid } from "./dom.js";
import { notice, type PageContext, pageHeading } from "./page.js";
import { reviewsTable } from "./reviews-page.js";

const QUEUES: { key: keyof DashboardView["queues"]; name: string }[] = [
  { key: "reviews", name: "Pull-request reviews" },
  { key: "uploads", name: "File reviews" },
  { key: "assessments", name: "Assignment reviews" },
];

const BREAKER: Record<DashboardView["providers"][number]["state"], string> = {
  closed: "Closed: healthy",
  "half-open": "Half-open: trying again",
  open: "Open: failing, calls paused",
};

const CATEGORIES = ["bug", "security", "performance", "maintainability", "style", "tests"] as const;

function region(title: string, ...children: HTMLElement[]): HTMLElement {
  const id = uid("section");
  return h(
    "section",
    { class: "panel", "aria-labelledby": id },
    h("h2", { id }, title),
    ...children,
  );
}

function queueCard(name: string, counts: QueueCounts): HTMLElement {
  return h(
    "div",
    { class: "queue-card" },
    h("h3", {}, name),
    h(
      "dl",
      {},
      h("dt", {}, "Waiting"),
      h("dd", { class: "queue-pending" }, String(counts.pending)),
      h("dt", {}, "Running"),
      h("dd", { class: "queue-running" }, String(counts.running)),
    ),
  );
}

function dashboard(view: DashboardView): HTMLElement[] {
  const sections: HTMLElement[] = [
    region(
      "Queues",
      h(
        "div",
        { class: "queue-cards" },
        ...QUEUES.map((q) => queueCard(q.name, view.queues[q.key])),
      ),
    ),
    region(
      "Providers",
      view.providers.length === 0
        ? h("p", { class: "empty" }, "No model provider is configured.")
        : h(
            "ul",
            { class: "providers" },
            ...view.providers.map((p) =>
              h(
                "li",
                { "data-provider": p.id },
                h("span", { class: "provider-name" }, p.id),
                " ",
                h("span", { class: `badge breaker breaker-${p.state}` }, BREAKER[p.state]),
              ),
            ),
          ),
    ),
  ];
  if (!view.history) {
    sections.push(
      notice(
        "No review history is kept here, so there are no recent reviews, spend or trends to show.",
      ),
    );
    return sections;
  }
  const days = view.findings_by_day.map((d) => d.day);
  sections.push(
    region(
      "Recent reviews",
      view.recent.length === 0
        ? h("p", { class: "empty" }, "No pull-request reviews are recorded yet.")
        : reviewsTable("Recent pull-request reviews, newest first", view.recent),
    ),
    region(
      "Spend",
      h(
        "div",
        { class: "charts" },
        dayBars({
          title: "Spend per day",
          unit: "Spend",
          format: formatCost,
          axis: (v) => `$${Number(v.toPrecision(3))}`,
          points: view.spend_by_day.map((d) => ({
            day: d.day,
            value: d.cost_usd,
            note: `${d.reviews} reviews, ${d.tokens.toLocaleString()} tokens`,
          })),
        }),
        namedBars({
          title: "Spend by repository",
          unit: "Spend",
          format: formatCost,
          items: view.spend_by_repository.map((r) => ({
            name: r.repository,
            value: r.cost_usd,
            note: `${r.reviews} reviews`,
          })),
        }),
        namedBars({
          title: "Spend by provider",
          unit: "Spend",
          format: formatCost,
          items: view.spend_by_provider.map((p) => ({
            name: p.provider,
            value: p.cost_usd,
            note: `${p.reviews} reviews`,
          })),
        }),
      ),
    ),
    region(
      "Quality",
      h(
        "div",
        { class: "charts" },
        dayLine({
          title: "Average rating per day",
          unit: "Average rating",
          max: 10,
          format: (v) => `${Math.round(v * 10) / 10}/10`,
          points: view.ratings_by_day.map((d) => ({
            day: d.day,
            value: d.average,
            note: `${d.reviews} reviews`,
          })),
        }),
        stackedDayBars({
          title: "Findings by category per day",
          unit: "Findings",
          days,
          series: CATEGORIES.map((c) => ({
            name: c,
            values: view.findings_by_day.map((d) => d[c]),
          })),
        }),
        namedBars({
          title: "Comments acted on, per repository",
          unit: "Acted on",
          format: (v) => `${Math.round(v * 100)}%`,
          max: 1,
          items: view.acted_on.map((a) => ({
            name: a.repository,
            value: a.share,
            label: `${Math.round(a.share * 100)}%`,
            note: `${a.acted} of ${a.total} comments`,
          })),
        }),
      ),
    ),
  );
  return sections;
}

export async function renderOperatorPage({ session, main, signal }: PageContext): Promise<void> {
  main.append(pageHeading("Operator dashboard"));
  if (!session.operator) {
    main.append(notice("Only operators can see this page."));
    return;
  }
  const refresh = h("button", { type: "button" }, "Refresh");
  const updated = h("span", { class: "updated", role: "status" });
  const body = h("div", { class: "dashboard" }, h("p", { class: "loading" }, "Loading…"));
  main.append(h("div", { class: "actions" }, refresh, " ", updated), body);

  const load = async () => {
    refresh.disabled = true;
    try {
      const view = await getJson<DashboardView>("/dashboard", signal);
      if (signal.aborted) return;
      body.replaceChildren(...dashboard(view));
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (signal.aborted) return;
      const message =
        error instanceof ApiError && error.status === 403
          ? "Only operators can see this page."
          : errorMessage(error);
      body.replaceChildren(notice(message, "error"));
    } finally {
      refresh.disabled = false;
    }
  };
  refresh.addEventListener("click", () => void load());
  await load();
}
