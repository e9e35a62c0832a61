import type { FakeGitHub, FakeGitHubCall, WriteLimitWindow } from "../fakes/fake-github.js";
import type { FakeLlm } from "../fakes/fake-llm.js";
import { waitFor } from "../fakes/harness.js";
import { type GitHubFile, makeModifiedFile, realSources } from "../lib/real-patches.js";
import { judged, percentile, type Row, row, type ScenarioResult } from "../lib/report.js";
import { type Bench, type Pr, prKey, shaOf, spreadPrs, withBench } from "../lib/setup.js";

const MODEL_MS = 500;
/** Runs of one PR alone (each a new PR), after one unmeasured first review. */
const RUNS = 3;
const BURST = 10;
/**
 * The sustained backlog runs GitHub's limits on a clock this many times faster: 80 writes per
 * 6 s and 500 per 360 s, so both bind within its minute.
 */
const SPEED_UP = 10;
const BACKLOG_PRS = 150;
const BACKLOG_WINDOW_MS = 60_000;
const BACKLOG_ENV = { CRITIC_CONCURRENCY: "64", CRITIC_LLM_CONCURRENCY: "32" };
const INSTALLATION = { alone: 701, burst: 702, backlog: 703 } as const;

const FAST_LIMITS: WriteLimitWindow[] = [
  { count: 80, spanMs: 60_000 / SPEED_UP },
  { count: 500, spanMs: 3_600_000 / SPEED_UP },
];

const FILES_PER_PR = 4;
const PATCH_CHARS_PER_FILE = 2_300;

/**
 * A four-file TypeScript PR of about 10,000 diff characters, of different real code for each
 * `index` (so no model answer is served from Critic's cache): each file's patch changes the fewest
 * lines that make it reach 2,300 characters.
 */
function fourFilePr(
  sources: ReadonlyArray<{ path: string; lines: string[] }>,
  index: number,
): GitHubFile[] {
  return Array.from({ length: FILES_PER_PR }, (_, k) => {
    const n = index * FILES_PER_PR + k;
    const source = sources[n % sources.length];
    const lines = source?.lines.slice(0, 400) ?? [];
    let file = makeModifiedFile(`src/${source?.path ?? "a.ts"}`, lines, 4, 1_000 + n);
    for (let changed = 6; file.patch.length < PATCH_CHARS_PER_FILE && changed <= 300; changed += 2)
      file = makeModifiedFile(file.filename, lines, changed, 1_000 + n);
    return file;
  });
}

/** `80/6s,500/360s`: the value of `GITHUB_WRITE_LIMITS` that gives Critic the same windows. */
function writeLimitsEnv(windows: readonly WriteLimitWindow[]): string {
  return windows.map((w) => `${w.count}/${w.spanMs / 1000}s`).join(",");
}

const isReview = (c: FakeGitHubCall) =>
  c.method === "POST" && c.route === "/repos/{o}/{r}/pulls/{n}/reviews";
const ofRepo = (pr: Pr) => (c: FakeGitHubCall) =>
  c.path.startsWith(`/repos/${pr.owner}/${pr.repo}/`);
/** A check run created or edited as completed (a conclusion implies it). */
const completesCheck = (c: FakeGitHubCall) => {
  if (!/^\/repos\/{o}\/{r}\/check-runs(\/{n})?$/.test(c.route)) return false;
  const body = c.body as { status?: string; conclusion?: string } | undefined;
  return body?.status === "completed" || body?.conclusion !== undefined;
};
const ok = (c: FakeGitHubCall) => c.status >= 200 && c.status < 300;

type Milestones = {
  t0: number;
  ackMs: number;
  /** Webhook → the review POST reached the fake GitHub. */
  reviewMs: number;
  /** Webhook → the summary's final write (recording the head) reached it. */
  summaryMs: number;
  /** Webhook → the check run was completed. */
  checkMs: number;
};

/** When a PR's review, final summary and completed check run arrived, once all three have. */
function milestones(github: FakeGitHub, pr: Pr, t0: number, ackMs: number): Milestones | undefined {
  const mine = github.calls.filter((c) => c.at >= t0 && ofRepo(pr)(c) && ok(c));
  const review = mine.find(isReview);
  const check = mine.find(completesCheck);
  const summary = github.reviewed.get(prKey(pr));
  if (!review || !check || summary?.sha !== pr.sha) return undefined;
  return {
    t0,
    ackMs,
    reviewMs: review.at - t0,
    summaryMs: summary.at - t0,
    checkMs: check.at - t0,
  };
}

async function openAndWait(bench: Bench, pr: Pr): Promise<Milestones> {
  const t0 = Date.now();
  const answer = await bench.open(pr);
  const ackMs = Date.now() - t0;
  if (!answer.ok) throw new Error(`webhook answered ${answer.status}`);
  let done: Milestones | undefined;
  await waitFor(() => {
    if (bench.critic.exit) throw new Error(`Critic exited:\n${bench.critic.stderr()}`);
    done = milestones(bench.github, pr, t0, ackMs);
    return done !== undefined;
  }, 60_000);
  if (!done) throw new Error("unreachable");
  return done;
}

const completeMs = (m: Milestones) => Math.max(m.summaryMs, m.checkMs);
const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

type Event = { start: number; end: number; label: string };

/** Every GitHub and model call from the webhook to the last write of one review, in order. */
function timeline(github: FakeGitHub, llm: FakeLlm, m: Milestones): Event[] {
  const until = m.t0 + completeMs(m);
  const events: Event[] = [];
  for (const c of github.calls) {
    if (c.at < m.t0 || c.at > until) continue;
    const body = c.body as { status?: string; body?: string; query?: string } | undefined;
    const what = [
      c.route.endsWith("/check-runs") || c.route.endsWith("/check-runs/{n}")
        ? body?.status
          ? `status ${body.status}`
          : undefined
        : undefined,
      typeof body?.body === "string" && body.body.includes("<!-- critic:summary -->")
        ? /<!-- critic:state \{"sha":"[0-9a-f]+"/.test(body.body)
          ? "summary, final"
          : "summary"
        : undefined,
      c.route === "/graphql" && typeof body?.query === "string"
        ? /^\s*mutation\b/.test(body.query)
          ? "mutation"
          : "query"
        : undefined,
      ok(c) ? undefined : `answered ${c.status}`,
    ].filter(Boolean);
    events.push({
      start: c.at - m.t0,
      end: (c.doneAt || c.at) - m.t0,
      label: `${c.method} ${c.route}${what.length > 0 ? ` (${what.join(", ")})` : ""}`,
    });
  }
  for (const c of llm.calls) {
    if (c.at < m.t0 || c.at > until) continue;
    events.push({
      start: c.at - m.t0,
      end: (c.doneAt || c.at) - m.t0,
      label: `model request (${c.promptChars.toLocaleString("en-US")} prompt characters)`,
    });
  }
  return events.sort((a, b) => a.start - b.start);
}

/** The timeline as rows: each call's start and end after the webhook, and the idle gap before it. */
function timelineRows(events: readonly Event[], m: Milestones): Row[] {
  const rows: Row[] = [row("  webhook delivered, acknowledged", `+0 → +${m.ackMs} ms`)];
  let busyUntil = m.ackMs;
  for (const e of events) {
    const gap = e.start - busyUntil;
    rows.push(
      row(
        `  ${e.label}`,
        `+${e.start} → +${e.end} ms${gap > 0 ? ` (${gap} ms after the previous call ended)` : ""}`,
      ),
    );
    busyUntil = Math.max(busyUntil, e.end);
  }
  return rows;
}

/** Between calls: the time no GitHub or model call was in flight, from the ack to the last write. */
function idleMs(events: readonly Event[], m: Milestones): number {
  let busyUntil = m.ackMs;
  let idle = 0;
  for (const e of events) {
    idle += Math.max(0, e.start - busyUntil);
    busyUntil = Math.max(busyUntil, e.end);
  }
  return idle;
}

/** Most writes the limits allow from `from` to `to`, each write taking no time (greedy). */
function ceilingWrites(windows: readonly WriteLimitWindow[], from: number, to: number): number {
  const starts: number[] = [];
  let at = from;
  while (true) {
    for (const w of windows) {
      const gate = starts[starts.length - w.count];
      if (starts.length >= w.count && gate !== undefined) at = Math.max(at, gate + w.spanMs);
    }
    if (at >= to) return starts.length;
    starts.push(at);
  }
}

/** The most writes in any `spanMs` of sorted `times`. */
function peakIn(times: readonly number[], spanMs: number): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= spanMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/**
 * Latency of one review with the model answering in 500 ms, reviews per minute for a burst of ten
 * PRs in one installation, and a sustained backlog of one installation against GitHub's secondary
 * limits (on a faster clock). The timeline of one review shows where the time goes.
 */
export async function latency(): Promise<ScenarioResult> {
  const sources = realSources(400).filter((s) => s.path.endsWith(".ts") && s.lines.length >= 150);
  // One repository per PR, so each PR's calls are told apart by their path.
  const alone: Pr[] = Array.from({ length: RUNS + 1 }, (_, i) => ({
    installation: INSTALLATION.alone,
    owner: "latency",
    repo: `alone-${i}`,
    number: 1,
    sha: shaOf(`alone-${i}`),
  }));
  const burst: Pr[] = Array.from({ length: BURST }, (_, i) => ({
    installation: INSTALLATION.burst,
    owner: "burst",
    repo: `app-${i}`,
    number: 1,
    sha: shaOf(`burst-${i}`),
  }));

  // Each PR's files, made on its first request.
  const byPr = new Map<string, GitHubFile[]>();
  const filesOf = ({ repo, pull }: { repo: string; pull: number }) => {
    const key = `${repo}#${pull}`;
    let files = byPr.get(key);
    if (!files) {
      files = fourFilePr(sources, byPr.size);
      byPr.set(key, files);
    }
    return files;
  };
  for (const pr of [...alone, ...burst])
    filesOf({ repo: `${pr.owner}/${pr.repo}`, pull: pr.number });
  const diffChars = [...byPr.values()]
    .map((files) => files.reduce((n, f) => n + f.patch.length, 0))
    .sort((a, b) => a - b);

  const first = await withBench(
    { github: { files: filesOf }, llm: { latencyMs: MODEL_MS }, prs: [...alone, ...burst] },
    async (bench) => {
      // The first review after start-up loads what later ones find loaded: not measured.
      const [cold, ...measured] = alone as [Pr, ...Pr[]];
      const coldRun = await openAndWait(bench, cold);
      const runs: Milestones[] = [];
      for (const pr of measured) {
        await new Promise((r) => setTimeout(r, 300));
        runs.push(await openAndWait(bench, pr));
      }
      const byReview = [...runs].sort((a, b) => a.reviewMs - b.reviewMs);
      const typical = byReview[Math.floor(byReview.length / 2)] ?? coldRun;
      const events = timeline(bench.github, bench.llm, typical);

      // Ten PRs opened at once in one installation.
      await new Promise((r) => setTimeout(r, 300));
      const secondaryBefore = bench.github.secondaryLimitHits;
      const t0 = Date.now();
      await Promise.all(burst.map((pr) => bench.open(pr)));
      await waitFor(() => {
        if (bench.critic.exit) throw new Error(`Critic exited:\n${bench.critic.stderr()}`);
        return burst.every((pr) =>
          bench.github.calls.some((c) => c.at >= t0 && ofRepo(pr)(c) && isReview(c) && ok(c)),
        );
      }, 120_000);
      const reviewTimes = burst
        .map(
          (pr) =>
            bench.github.calls.find((c) => c.at >= t0 && ofRepo(pr)(c) && isReview(c) && ok(c))
              ?.at ?? Number.NaN,
        )
        .map((at) => at - t0)
        .sort((a, b) => a - b);
      const lastMs = reviewTimes.at(-1) ?? Number.NaN;
      return {
        coldRun,
        coldEvents: timeline(bench.github, bench.llm, coldRun),
        runs,
        typical,
        events,
        modelCalls: bench.llm.calls.filter(
          (c) => c.at >= typical.t0 && c.at <= typical.t0 + completeMs(typical),
        ).length,
        burst: {
          perMinute: (BURST * 60_000) / lastMs,
          firstMs: reviewTimes[0] ?? Number.NaN,
          medianMs: median(reviewTimes),
          lastMs,
          secondary: bench.github.secondaryLimitHits - secondaryBefore,
          writes: (bench.github.writes.get(INSTALLATION.burst) ?? []).length,
        },
      };
    },
  );

  // A sustained backlog in one installation, against the limits on a faster clock.
  const backlogPrs = spreadPrs(BACKLOG_PRS, 1, INSTALLATION.backlog);
  const backlog = await withBench(
    {
      github: { files: filesOf, writeLimits: FAST_LIMITS },
      llm: { latencyMs: MODEL_MS },
      env: { ...BACKLOG_ENV, GITHUB_WRITE_LIMITS: writeLimitsEnv(FAST_LIMITS) },
      prs: backlogPrs,
    },
    async (bench) => {
      const t0 = Date.now();
      for (let i = 0; i < backlogPrs.length; i += 50)
        await Promise.all(backlogPrs.slice(i, i + 50).map((pr) => bench.open(pr)));
      const to = t0 + BACKLOG_WINDOW_MS;
      while (Date.now() < to) {
        if (bench.critic.exit) throw new Error(`Critic exited:\n${bench.critic.stderr()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const writes = (bench.github.writes.get(INSTALLATION.backlog) ?? []).filter(
        (t) => t >= t0 && t < to,
      );
      const reviews = bench.github.calls.filter(
        (c) => c.at >= t0 && c.at < to && isReview(c) && ok(c),
      ).length;
      return {
        writes: writes.length,
        ceiling: ceilingWrites(FAST_LIMITS, t0, to),
        reviews,
        peakMinute: peakIn(writes, FAST_LIMITS[0]?.spanMs ?? 6_000),
        fullAtS: writes.length >= 500 ? ((writes[499] ?? 0) - t0) / 1000 : undefined,
        secondary: bench.github.secondaryLimitHits,
      };
    },
  );

  const reviewMedian = median(first.runs.map((r) => r.reviewMs));
  const completeMedian = median(first.runs.map(completeMs));
  const runsText = (pick: (m: Milestones) => number) =>
    first.runs.map((r) => pick(r).toLocaleString("en-US")).join(", ");
  const fmt = (ms: number) => `${Math.round(ms).toLocaleString("en-US")} ms`;
  const notes: string[] = [
    `Timeline of the median run above: ${first.events.length} calls (${first.modelCalls} to the model); no GitHub or model call was in flight for ${fmt(idleMs(first.events, first.typical))} of the ${fmt(completeMs(first.typical))} from the ack to the last write (the review's own computing, and any waiting).`,
  ];
  notes.push(
    `The first review after start-up (not counted above): ${first.coldEvents
      .map((e) => `+${e.start} ${e.label.replace(/ \(.*\)$/, "")}`)
      .join("; ")}; complete at +${completeMs(first.coldRun)} ms.`,
  );
  if (backlog.writes <= 80 + 5 && backlog.ceiling > 160)
    notes.push(
      `The backlog wrote ${backlog.writes} times where the limits allowed ${backlog.ceiling}: Critic paced by its built-in minute (80 per 61 s), so it does not read \`GITHUB_WRITE_LIMITS\` (or reads it in another format) yet.`,
    );
  return {
    id: "latency",
    title: "Latency of one review, and a burst in one installation",
    method: [
      `The real server with its defaults; the fake OpenAI-compatible model answers in ${MODEL_MS} ms. One PR alone: a four-file TypeScript PR of real code (${(diffChars[0] ?? 0).toLocaleString("en-US")} to ${(diffChars.at(-1) ?? 0).toLocaleString("en-US")} diff characters, different code in each PR so that no model answer comes from Critic's cache), delivered as \`pull_request.opened\` after the previous review finished, ${RUNS} times (each a new PR, in one installation, after one unmeasured first review since start-up); times run from sending the webhook to the request reaching the fake GitHub: the review's \`POST …/pulls/{n}/reviews\`, and the later of the summary's final write and the check run's completion.`,
      `Then ${BURST} PRs like it opened at once in another installation: reviews per minute = ${BURST} ÷ (first webhook → ${BURST}th review posted) × 60 s. The fake GitHub enforces GitHub's secondary limits per installation on content writes (REST POST/PATCH/PUT/DELETE and GraphQL mutations): 80 in any 60 s and 500 in any hour, answering 403 "secondary rate limit" past them.`,
      `Then a sustained backlog: ${BACKLOG_PRS} PRs queued at once in one installation (\`CRITIC_CONCURRENCY=64\`, \`CRITIC_LLM_CONCURRENCY=32\`), with both limits on a clock ${SPEED_UP} times faster so the hour binds within the run: the fake enforces 80 writes per ${60 / SPEED_UP} s and 500 per ${3600 / SPEED_UP} s, and Critic is given the same windows with \`GITHUB_WRITE_LIMITS=${writeLimitsEnv(FAST_LIMITS)}\`. Writes are counted over the ${BACKLOG_WINDOW_MS / 1000} s from the first webhook, against the most those limits allow in that time (writes taking no time).`,
    ].join(" "),
    rows: [
      judged(
        "webhook → review posted, one PR alone, median",
        fmt(reviewMedian),
        "≤ 1,000 ms",
        reviewMedian <= 1_000,
      ),
      row("  runs", `${runsText((r) => r.reviewMs)} ms`),
      judged(
        "webhook → summary and check run complete, median",
        fmt(completeMedian),
        "≤ 1,500 ms",
        completeMedian <= 1_500,
      ),
      row("  runs", `${runsText(completeMs)} ms`),
      row(
        "first review after start-up (not counted): review, complete",
        `${fmt(first.coldRun.reviewMs)}, ${fmt(completeMs(first.coldRun))}`,
      ),
      judged(
        `reviews per minute, ${BURST} PRs opened at once in one installation`,
        first.burst.perMinute.toFixed(1),
        "≥ 26",
        first.burst.perMinute >= 26,
      ),
      row(
        "  webhook → review: first, median, last",
        `${fmt(first.burst.firstMs)}, ${fmt(first.burst.medianMs)}, ${fmt(first.burst.lastMs)}`,
      ),
      row("  content writes for the burst", String(first.burst.writes)),
      judged(
        "secondary-limit answers, burst",
        String(first.burst.secondary),
        "0",
        first.burst.secondary === 0,
      ),
      judged(
        `content writes in ${BACKLOG_WINDOW_MS / 1000} s, sustained backlog (limits ${SPEED_UP}× faster)`,
        `${backlog.writes} (${((backlog.writes / backlog.ceiling) * 100).toFixed(0)} % of the ceiling)`,
        `≥ 90 % of ${backlog.ceiling}`,
        backlog.writes >= 0.9 * backlog.ceiling,
      ),
      row(
        `  most writes in any ${60 / SPEED_UP} s; 500th write after`,
        `${backlog.peakMinute} (≤ 80); ${backlog.fullAtS === undefined ? "never" : `${backlog.fullAtS.toFixed(1)} s (at best ${((500 / 80) * (60 / SPEED_UP)).toFixed(1)} s)`}`,
      ),
      row("  reviews posted in that time", String(backlog.reviews)),
      judged(
        "secondary-limit answers, sustained backlog",
        String(backlog.secondary),
        "0",
        backlog.secondary === 0,
      ),
      row("timeline of the median run (start → end after the webhook)", ""),
      ...timelineRows(first.events, first.typical),
    ],
    notes,
  };
}
