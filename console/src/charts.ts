/**
 * Charts as inline SVG, drawn with createElementNS: no chart library, nothing the
 * Content-Security-Policy would refuse. Colours come from classes in console.css. Every chart is a
 * `<figure>` whose SVG is an image named by its caption and described by a one-line summary,
 * with the numbers again in a visually hidden table for screen readers.
 */
import { type Child, h, s, uid } from "./dom.js";

// Small enough that text stays legible when a chart is scaled down to half a laptop's width.
const WIDTH = 480;
const FONT = 13;

type Format = (value: number) => string;

/** A round number at or above `max`, so axes end on a readable value. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `2024-05-07` → `05-07`: the year is in the table and the tooltip. */
function shortDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day.slice(5) : day;
}

function figure(options: {
  title: string;
  summary: string;
  svg: SVGSVGElement | null;
  legend?: HTMLElement;
  headers: readonly string[];
  rows: readonly (readonly string[])[];
  className: string;
}): HTMLElement {
  const { title, summary, svg } = options;
  const figureEl = h("figure", { class: `chart ${options.className}` }, h("figcaption", {}, title));
  if (svg) {
    const titleId = uid("chart-title");
    const descId = uid("chart-desc");
    svg.prepend(s("title", { id: titleId }, title), s("desc", { id: descId }, summary));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", `${titleId} ${descId}`);
    figureEl.append(svg);
    if (options.legend) figureEl.append(options.legend);
  } else {
    figureEl.append(h("p", { class: "empty" }, "No data yet."));
  }
  figureEl.append(
    h("p", { class: "chart-summary" }, summary),
    // Wrapped: a table ignores a width smaller than its content, so it cannot be hidden itself.
    h(
      "div",
      { class: "visually-hidden" },
      h(
        "table",
        {},
        h("caption", {}, title),
        h("thead", {}, h("tr", {}, ...options.headers.map((x) => h("th", { scope: "col" }, x)))),
        h(
          "tbody",
          {},
          ...options.rows.map((row) =>
            h(
              "tr",
              {},
              ...row.map((cell, i) =>
                i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  return figureEl;
}

type Frame = { svg: SVGSVGElement; left: number; top: number; width: number; height: number };

/** An empty plot with a y axis from 0 to `max`, three gridlines labelled with `format`. */
function plotFrame(max: number, format: Format, height = 220): Frame {
  const left = 64;
  const top = 12;
  const bottom = 28;
  const right = 12;
  const svg = s("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    class: "chart-svg",
    "font-size": FONT,
  });
  const plotHeight = height - top - bottom;
  const labels = [0, 0.5, 1].map((fraction) => format(max * fraction));
  for (const [i, fraction] of [0, 0.5, 1].entries()) {
    const y = top + plotHeight * (1 - fraction);
    svg.append(s("line", { x1: left, x2: WIDTH - right, y1: y, y2: y, class: "grid" }));
    // A midpoint that rounds to an end's label (counts of 0 to 1) would read as a wrong scale.
    if (i === 1 && (labels[1] === labels[0] || labels[1] === labels[2])) continue;
    svg.append(
      s(
        "text",
        { x: left - 6, y: y + 4, "text-anchor": "end", class: "axis-label" },
        labels[i] ?? "",
      ),
    );
  }
  return { svg, left, top, width: WIDTH - left - right, height: plotHeight };
}

/** Labels under the x axis, thinned so they never overlap. */
function xLabels(frame: Frame, labels: readonly string[], slot: number): void {
  const every = Math.max(1, Math.ceil(labels.length / Math.floor(frame.width / 48)));
  labels.forEach((label, i) => {
    // Counted back from the last day, which is always labelled: it is the one people look for.
    if ((labels.length - 1 - i) % every !== 0) return;
    frame.svg.append(
      s(
        "text",
        {
          x: frame.left + slot * i + slot / 2,
          y: frame.top + frame.height + 18,
          "text-anchor": "middle",
          class: "axis-label",
        },
        shortDay(label),
      ),
    );
  });
}

/** Vertical bars, one a day. */
export function dayBars(options: {
  title: string;
  points: readonly { day: string; value: number; note?: string }[];
  format: Format;
  /** For the axis' round numbers, when `format` would pad them (`$0.500`). */
  axis?: Format;
  unit: string;
}): HTMLElement {
  const { points, format } = options;
  const total = points.reduce((sum, p) => sum + p.value, 0);
  const top = points.reduce<(typeof points)[number] | undefined>(
    (best, p) => (best === undefined || p.value > best.value ? p : best),
    undefined,
  );
  const summary =
    points.length === 0
      ? "No days recorded."
      : `${points.length} days from ${points[0]?.day} to ${points[points.length - 1]?.day}: ${format(total)} in all; the most, ${format(top?.value ?? 0)}, on ${top?.day}.`;
  let svg: SVGSVGElement | null = null;
  if (points.length > 0) {
    const max = niceMax(top?.value ?? 0);
    const frame = plotFrame(max, options.axis ?? format);
    const slot = frame.width / points.length;
    points.forEach((p, i) => {
      const barHeight = (p.value / max) * frame.height;
      frame.svg.append(
        s(
          "rect",
          {
            x: frame.left + slot * i + slot * 0.15,
            y: frame.top + frame.height - barHeight,
            width: Math.max(1, slot * 0.7),
            height: Math.max(0, barHeight),
            class: "bar",
          },
          s("title", {}, `${p.day}: ${format(p.value)}${p.note ? ` (${p.note})` : ""}`),
        ),
      );
    });
    xLabels(
      frame,
      points.map((p) => p.day),
      slot,
    );
    svg = frame.svg;
  }
  return figure({
    title: options.title,
    summary,
    svg,
    headers: ["Day", options.unit],
    rows: points.map((p) => [p.day, format(p.value)]),
    className: "chart-day-bars",
  });
}

/** Horizontal bars, one a name (a repository, a provider), largest first. */
export function namedBars(options: {
  title: string;
  items: readonly { name: string; value: number; label?: string; note?: string }[];
  format: Format;
  unit: string;
  /** The value a full bar stands for; the largest value when absent. */
  max?: number;
}): HTMLElement {
  const items = [...options.items].sort((a, b) => b.value - a.value);
  const label = (item: (typeof items)[number]) => item.label ?? options.format(item.value);
  const summary =
    items.length === 0
      ? "Nothing recorded."
      : `${items.length} ${items.length === 1 ? "entry" : "entries"}; the largest is ${items[0]?.name} with ${items[0] ? label(items[0]) : ""}.`;
  let svg: SVGSVGElement | null = null;
  if (items.length > 0) {
    const row = 28;
    const nameWidth = 150;
    const valueWidth = 64;
    const barSpace = WIDTH - nameWidth - valueWidth - 8;
    const max = options.max ?? Math.max(...items.map((i) => i.value), 0);
    svg = s("svg", {
      viewBox: `0 0 ${WIDTH} ${items.length * row + 8}`,
      class: "chart-svg",
      "font-size": FONT,
    });
    items.forEach((item, i) => {
      const y = 4 + i * row;
      const width = max > 0 ? (item.value / max) * barSpace : 0;
      svg?.append(
        s(
          "text",
          { x: nameWidth - 8, y: y + row / 2 + 4, "text-anchor": "end", class: "axis-label" },
          shorten(item.name, 20),
          s("title", {}, item.name),
        ),
        s("rect", { x: nameWidth, y: y + 4, width: barSpace, height: row - 10, class: "track" }),
        s(
          "rect",
          { x: nameWidth, y: y + 4, width: Math.max(width, 0), height: row - 10, class: "bar" },
          s("title", {}, `${item.name}: ${label(item)}${item.note ? ` (${item.note})` : ""}`),
        ),
        s(
          "text",
          { x: nameWidth + barSpace + 8, y: y + row / 2 + 4, class: "value-label" },
          label(item),
        ),
      );
    });
  }
  return figure({
    title: options.title,
    summary,
    svg,
    headers: ["Name", options.unit],
    rows: items.map((item) => [item.name, `${label(item)}${item.note ? ` (${item.note})` : ""}`]),
    className: "chart-named-bars",
  });
}

/** A line over days; a day without a value breaks the line rather than inventing one. */
export function dayLine(options: {
  title: string;
  points: readonly { day: string; value: number | null; note?: string }[];
  max: number;
  format: Format;
  unit: string;
}): HTMLElement {
  const { points, format } = options;
  const known = points.filter((p): p is { day: string; value: number } => p.value !== null);
  const mean = known.length ? known.reduce((sum, p) => sum + p.value, 0) / known.length : 0;
  const last = known[known.length - 1];
  const summary =
    known.length === 0
      ? "No values recorded."
      : `${known.length} days with values; the mean is ${format(mean)}, the latest ${format(last?.value ?? 0)} on ${last?.day}.`;
  let svg: SVGSVGElement | null = null;
  if (known.length > 0) {
    const frame = plotFrame(options.max, format);
    const slot = frame.width / points.length;
    const x = (i: number) => frame.left + slot * i + slot / 2;
    const y = (v: number) => frame.top + frame.height * (1 - v / options.max);
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1) frame.svg.append(s("path", { d: segment.join(" "), class: "line" }));
      segment = [];
    };
    points.forEach((p, i) => {
      if (p.value === null) {
        flush();
        return;
      }
      segment.push(
        `${segment.length === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`,
      );
    });
    flush();
    points.forEach((p, i) => {
      if (p.value === null) return;
      frame.svg.append(
        s(
          "circle",
          { cx: x(i), cy: y(p.value), r: 4, class: "dot" },
          s("title", {}, `${p.day}: ${format(p.value)}${p.note ? ` (${p.note})` : ""}`),
        ),
      );
    });
    xLabels(
      frame,
      points.map((p) => p.day),
      slot,
    );
    svg = frame.svg;
  }
  return figure({
    title: options.title,
    summary,
    svg,
    headers: ["Day", options.unit],
    rows: points.map((p) => [
      p.day,
      `${p.value === null ? "—" : format(p.value)}${p.note ? ` (${p.note})` : ""}`,
    ]),
    className: "chart-day-line",
  });
}

/** Bars a day, stacked by series (e.g. findings by category), with a legend. */
export function stackedDayBars(options: {
  title: string;
  days: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  unit: string;
}): HTMLElement {
  const { days, series } = options;
  const totals = days.map((_, i) => series.reduce((sum, one) => sum + (one.values[i] ?? 0), 0));
  const grand = totals.reduce((a, b) => a + b, 0);
  const bySeries = series
    .map((one) => ({ name: one.name, total: one.values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total);
  const summary =
    days.length === 0 || grand === 0
      ? "Nothing recorded."
      : `${grand} ${options.unit.toLowerCase()} over ${days.length} days; most were ${bySeries[0]?.name} (${bySeries[0]?.total}).`;
  let svg: SVGSVGElement | null = null;
  let legend: HTMLElement | undefined;
  if (days.length > 0 && grand > 0) {
    const max = niceMax(Math.max(...totals));
    const frame = plotFrame(max, (v) => String(Math.round(v)));
    const slot = frame.width / days.length;
    days.forEach((day, i) => {
      let base = frame.top + frame.height;
      series.forEach((one, k) => {
        const value = one.values[i] ?? 0;
        if (value <= 0) return;
        const barHeight = (value / max) * frame.height;
        base -= barHeight;
        frame.svg.append(
          s(
            "rect",
            {
              x: frame.left + slot * i + slot * 0.15,
              y: base,
              width: Math.max(1, slot * 0.7),
              height: barHeight,
              class: `bar series-${k}`,
            },
            s("title", {}, `${day}, ${one.name}: ${value}`),
          ),
        );
      });
    });
    xLabels(frame, days, slot);
    svg = frame.svg;
    legend = h(
      "ul",
      { class: "legend", "aria-hidden": "true" },
      ...series.map(
        (one, k): Child => h("li", {}, h("span", { class: `swatch series-${k}` }), one.name),
      ),
    );
  }
  return figure({
    title: options.title,
    summary,
    svg,
    ...(legend ? { legend } : {}),
    headers: ["Day", ...series.map((one) => one.name)],
    rows: days.map((day, i) => [day, ...series.map((one) => String(one.values[i] ?? 0))]),
    className: "chart-stacked",
  });
}
