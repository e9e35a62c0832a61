import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

export type Status = "met" | "missed" | "info";

export type Row = { metric: string; value: string; target: string; status: Status };

export type ScenarioResult = {
  id: string;
  title: string;
  /** How it was measured, in a sentence or two. */
  method: string;
  /** The command that reruns it, when not `npm run bench -- --only <id>`. */
  command?: string;
  rows: Row[];
  /** Why a target was missed, with the profile that shows it; anything else worth knowing. */
  notes: string[];
};

/** The sections of BENCHMARKS.md, in order: the bench's scenarios, then the soak's tally. */
export const SECTIONS = [
  "ack",
  "overhead",
  "throughput",
  "latency",
  "calls",
  "cost",
  "huge",
  "hostile",
  "injection",
  "static",
  "cli",
  "store",
  "soak",
] as const;

export function row(metric: string, value: string, target = "", status: Status = "info"): Row {
  return { metric, value, target, status };
}

/** `met` when `ok`, `missed` otherwise. */
export function judged(metric: string, value: string, target: string, ok: boolean): Row {
  return { metric, value, target, status: ok ? "met" : "missed" };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(1)} GB memory, Node ${process.version}, ${process.platform}`;
}

const MARK = (id: string, end = false) => `<!-- bench:${end ? "/" : ""}${id} -->`;
const STATUS = { met: "✅ met", missed: "❌ missed", info: "" } as const;

/** The results as a console table. */
export function printTable(result: ScenarioResult): void {
  const rows = [
    ["metric", "value", "target", ""],
    ...result.rows.map((r) => [r.metric, r.value, r.target, STATUS[r.status]]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  console.log(`\n${result.title}`);
  for (const [i, r] of rows.entries()) {
    console.log(`  ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("  ")}`);
    if (i === 0) console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  }
  for (const note of result.notes) console.log(`  note: ${note}`);
}

/**
 * Writes each scenario's section into BENCHMARKS.md between its markers, keeping the sections of
 * scenarios not run this time (`--only`), and updates the header (machine, date) of the run.
 */
export function updateBenchmarksMd(
  path: string,
  order: readonly string[],
  results: ScenarioResult[],
): void {
  const old = existsSync(path) ? readFileSync(path, "utf8") : "";
  const sections = new Map<string, string>();
  for (const id of order) {
    const found = new RegExp(
      `${escapeRegExp(MARK(id))}[\\s\\S]*?${escapeRegExp(MARK(id, true))}`,
    ).exec(old);
    if (found) sections.set(id, found[0]);
  }
  const date = new Date().toISOString().slice(0, 10);
  for (const r of results) sections.set(r.id, renderSection(r, date));
  const header = [
    "# Benchmarks",
    "",
    "Measured by `npm run bench` (see `bench/`): the real server (`dist/bin/start.js`) driven through signed",
    "webhooks against a fake GitHub API and a fake OpenAI-compatible model on loopback. Rerun one",
    "scenario with `npm run bench -- --only <id>`; each section below says when and where it ran.",
    "",
    "Figures from a busy machine are noisy: record final figures from a quiet one.",
    "",
  ].join("\n");
  const kept = order.map((id) => sections.get(id)).filter((s): s is string => s !== undefined);
  writeFileSync(path, `${header}\n${summarize(kept)}\n\n${kept.join("\n\n")}\n`);
}

/** Every judged row of every section, in one table: the targets at a glance. */
function summarize(sections: readonly string[]): string {
  const lines = [
    "## Targets at a glance",
    "",
    "| Scenario | Metric | Value | Target | |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const section of sections) {
    const title = /^## (.+)$/m.exec(section)?.[1] ?? "";
    for (const match of section.matchAll(/^\| (.+?) \| (.+?) \| (.+?) \| ((?:✅|❌)[^|]*) \|$/gm))
      lines.push(`| ${title} | ${match[1]} | ${match[2]} | ${match[3]} | ${match[4]} |`);
  }
  return lines.join("\n");
}

function renderSection(r: ScenarioResult, date: string): string {
  const lines = [
    MARK(r.id),
    `## ${r.title}`,
    "",
    `Run ${date} on ${machine()}. \`${r.command ?? `npm run bench -- --only ${r.id}`}\``,
    "",
    r.method,
    "",
    "| Metric | Value | Target | |",
    "| --- | --- | --- | --- |",
    ...r.rows.map((x) => `| ${x.metric} | ${x.value} | ${x.target} | ${STATUS[x.status]} |`),
  ];
  if (r.notes.length > 0) lines.push("", ...r.notes.map((n) => `- ${n}`));
  lines.push(MARK(r.id, true));
  return lines.join("\n");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
