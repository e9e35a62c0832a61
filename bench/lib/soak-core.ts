import { pino } from "pino";
import { Probot } from "probot";
import { readEnv } from "../../src/config/env.js";
import { CriticOctokit } from "../../src/github/octokit.js";
import { createCritic } from "../../src/index.js";
import { startCritic } from "../fakes/critic-process.js";
import { type FakeGitHub, startFakeGitHub } from "../fakes/fake-github.js";
import { startFakeLlm } from "../fakes/fake-llm.js";
import { appPrivateKey, deliverWebhook, pullRequestPayload } from "../fakes/harness.js";
import { seededRandom } from "../fakes/rng.js";
import { makeModifiedFile, realSources } from "./real-patches.js";
import { shaOf } from "./setup.js";

export type SoakOptions = {
  prs: number;
  seed: number;
  /** `process`: the built server as a child (a crash is its exit); `in-process`: createCritic here. */
  mode: "process" | "in-process";
  installations?: number;
  /** Give up waiting for reviews after this long. */
  timeoutMs?: number;
  log?: (line: string) => void;
};

export type PrTally = {
  pr: string;
  finalHead: string;
  pushedMidReview: boolean;
  reviews: number;
  reviewsOnFinalHead: number;
  /** Reviews posted on a head that was no longer the PR's head when they arrived. */
  onSupersededHead: number;
  /** More than one review on the same head. */
  duplicateReviews: number;
  summaries: number;
  /** The summary records the final head as reviewed. */
  summaryFinal: boolean;
};

export type SoakReport = {
  clean: boolean;
  problems: string[];
  prs: PrTally[];
  crashes: string[];
  faults: {
    openai: Record<string, number>;
    gemini: Record<string, number>;
    github: FakeGitHub["injected"];
    secondaryLimitHits: number;
  };
  requests: { openai: number; gemini: number; github: number };
  seconds: number;
};

const APP_ID = 7007;
const SECRET = "soak-webhook-secret";

/**
 * The fault soak: `prs` pull requests against the fakes with faults injected from a seeded random
 * source: OpenAI fails 30 % of requests (5xx, 429 with retry-after, timeouts, garbage), Gemini
 * 10 %, GitHub 5 % (502s, some after the write landed; one secondary rate limit; one 422 on an
 * inline comment). Every tenth PR gets a second push while it is being reviewed. Clean when every
 * PR got exactly one review per head it reviewed and one summary recording its last head, nothing
 * was posted on a superseded head, and nothing crashed.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const rng = seededRandom(options.seed);
  const installations = options.installations ?? 20;
  const started = performance.now();
  const sources = realSources(300).filter((s) => s.path.endsWith(".ts"));

  type Pr = { installation: number; owner: string; repo: string; number: number; heads: string[] };
  const prs: Pr[] = Array.from({ length: options.prs }, (_, i) => {
    const installation = 1 + (i % installations);
    return {
      installation,
      owner: `soak${installation}`,
      repo: "service",
      number: 1 + Math.floor(i / installations),
      heads: [shaOf(`soak-${options.seed}-${i}-0`)],
    };
  });
  const byKey = new Map(prs.map((pr) => [`${pr.owner}/${pr.repo}#${pr.number}`, pr]));
  // Each head has its own change: a real file with a `debugger;` (so even a static-only review
  // has an inline comment) and a line naming the head (so no two prompts are alike).
  const filesFor = (repo: string, pull: number) => {
    const pr = byKey.get(`${repo}#${pull}`);
    const head = github.headOf(repo, pull);
    const index = pr ? prs.indexOf(pr) : 0;
    const source = sources[index % sources.length];
    const lines = [
      ...(source?.lines.slice(0, 40) ?? []),
      `export const revision = "${head}";`,
      "function inspect() {",
      "  debugger;",
      "}",
    ];
    return [
      makeModifiedFile(`src/${source?.path ?? "a.ts"}`, lines, 12, index + head.charCodeAt(0)),
    ];
  };

  const github = await startFakeGitHub({
    appId: APP_ID,
    headSha: (n, repo) => byKey.get(`${repo}#${n}`)?.heads[0] ?? "0".repeat(40),
    files: ({ repo, pull }) => filesFor(repo, pull),
    faults: {
      rng: seededRandom(options.seed + 1),
      errorRate: 0.05,
      landedShare: 0.3,
      secondaryLimits: 1,
      inlineRejections: 1,
    },
  });
  const openai = await startFakeLlm({
    latencyMs: 150,
    faults: { rng: seededRandom(options.seed + 2), rate: 0.3, hangMs: 1_500 },
  });
  const gemini = await startFakeLlm({
    latencyMs: 150,
    faults: { rng: seededRandom(options.seed + 3), rate: 0.1, hangMs: 1_500 },
  });
  const env: Record<string, string> = {
    APP_ID: String(APP_ID),
    WEBHOOK_SECRET: SECRET,
    OPENAI_API_KEY: "sk-soak-key",
    OPENAI_BASE_URL: openai.url,
    GEMINI_API_KEY: "gemini-soak-key",
    GEMINI_BASE_URL: gemini.geminiUrl,
    CRITIC_LLM_TIMEOUT_MS: "1000",
    CRITIC_LLM_RETRY_BASE_MS: "50",
    CRITIC_LLM_RETRY_MAX_MS: "300",
    CRITIC_BREAKER_COOLDOWN_MS: "2000",
    CRITIC_CACHE_ENTRIES: "0",
    CRITIC_CONCURRENCY: "16",
    CRITIC_LLM_CONCURRENCY: "16",
  };

  const crashes: string[] = [];
  let deliver: (id: string, payload: unknown) => Promise<void>;
  let stop: () => Promise<void>;
  const onCrash = (error: unknown) => crashes.push(String((error as Error)?.stack ?? error));
  if (options.mode === "process") {
    const critic = await startCritic({ appId: APP_ID, secret: SECRET, githubUrl: github.url, env });
    critic.child.once("exit", (code, signal) =>
      crashes.push(`server exited (code ${code}, signal ${signal}):\n${critic.stderr()}`),
    );
    deliver = async (id, payload) => {
      const response = await deliverWebhook(critic.port, SECRET, id, payload).catch(
        (error: unknown) => ({ status: 0, statusText: String(error) }),
      );
      if (response.status !== 200) crashes.push(`delivery ${id} answered ${response.status}`);
    };
    stop = async () => {
      critic.child.removeAllListeners("exit");
      await critic.stop();
    };
  } else {
    process.on("unhandledRejection", onCrash);
    process.on("uncaughtException", onCrash);
    const probot = new Probot({
      appId: APP_ID,
      privateKey: appPrivateKey(),
      baseUrl: `${github.url}/api/v3`,
      Octokit: CriticOctokit,
      log: pino({ level: "silent" }),
    });
    const critic = createCritic(readEnv(env), { probot });
    await probot.load(critic.app, { cwd: process.cwd(), addHandler: () => {} });
    deliver = async (id, payload) => {
      await probot
        .receive({ id, name: "pull_request", payload: payload as never })
        .catch((error: unknown) => crashes.push(`delivery ${id} failed: ${String(error)}`));
    };
    stop = async () => {
      process.off("unhandledRejection", onCrash);
      process.off("uncaughtException", onCrash);
      await critic.close();
    };
  }

  try {
    const pushes: Array<Promise<void>> = [];
    for (const [i, pr] of prs.entries()) {
      const payload = pullRequestPayload({
        action: "opened",
        installation: pr.installation,
        owner: pr.owner,
        repo: pr.repo,
        number: pr.number,
        sha: pr.heads[0] ?? "",
      });
      await deliver(`soak-${i}-0`, payload);
      if (i % 10 === 5) {
        // A second push while the first head is being reviewed.
        const delay = 100 + Math.floor(rng() * 1_500);
        pushes.push(
          new Promise((r) => setTimeout(r, delay)).then(async () => {
            const before = pr.heads[0] ?? "";
            const next = shaOf(`soak-${options.seed}-${i}-1`);
            pr.heads.unshift(next);
            github.setHead(`${pr.owner}/${pr.repo}`, pr.number, next);
            await deliver(
              `soak-${i}-1`,
              pullRequestPayload({
                action: "synchronize",
                installation: pr.installation,
                owner: pr.owner,
                repo: pr.repo,
                number: pr.number,
                sha: next,
                before,
              }),
            );
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(pushes);
    log(
      `delivered ${prs.length} PRs (${pushes.length} pushed again mid-review); waiting for reviews`,
    );
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    let last = -1;
    while (Date.now() < deadline && crashes.length === 0) {
      const done = prs.filter(
        (pr) => github.reviewed.get(`${pr.owner}/${pr.repo}#${pr.number}`)?.sha === pr.heads[0],
      ).length;
      if (done !== last) log(`${done}/${prs.length} reviewed`);
      last = done;
      if (done === prs.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Late writes (a duplicate, a review on a stale head) would land now if they were coming.
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await stop();
    await github.close();
    await openai.close();
    await gemini.close();
  }

  const tallies: PrTally[] = prs.map((pr) => {
    const key = `${pr.owner}/${pr.repo}#${pr.number}`;
    const reviews = github.reviews.filter((r) => r.pr === key);
    const perHead = new Map<string, number>();
    for (const r of reviews) perHead.set(r.commitId, (perHead.get(r.commitId) ?? 0) + 1);
    const finalHead = pr.heads[0] ?? "";
    return {
      pr: key,
      finalHead,
      pushedMidReview: pr.heads.length > 1,
      reviews: reviews.length,
      reviewsOnFinalHead: perHead.get(finalHead) ?? 0,
      onSupersededHead: reviews.filter((r) => r.commitId !== r.headAtPost).length,
      duplicateReviews: [...perHead.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
      summaries: github.summaries(key).length,
      summaryFinal: github.reviewed.get(key)?.sha === finalHead,
    };
  });
  const problems: string[] = [];
  for (const t of tallies) {
    if (t.reviewsOnFinalHead !== 1)
      problems.push(`${t.pr}: ${t.reviewsOnFinalHead} reviews on its last head`);
    if (t.duplicateReviews > 0) problems.push(`${t.pr}: ${t.duplicateReviews} duplicate reviews`);
    if (!t.pushedMidReview && t.reviews !== 1) problems.push(`${t.pr}: ${t.reviews} reviews`);
    if (t.onSupersededHead > 0)
      problems.push(`${t.pr}: ${t.onSupersededHead} reviews posted on a superseded head`);
    if (t.summaries !== 1) problems.push(`${t.pr}: ${t.summaries} summary comments`);
    if (!t.summaryFinal)
      problems.push(`${t.pr}: the summary does not record its last head as reviewed`);
  }
  problems.push(...crashes.map((c) => `crash: ${c}`));
  return {
    clean: problems.length === 0,
    problems,
    prs: tallies,
    crashes,
    faults: {
      openai: openai.stats.faults,
      gemini: gemini.stats.faults,
      github: github.injected,
      secondaryLimitHits: github.secondaryLimitHits,
    },
    requests: { openai: openai.requests, gemini: gemini.requests, github: github.calls.length },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The tally as lines for a terminal. */
export function formatSoak(report: SoakReport): string {
  const sum = (f: (t: PrTally) => number) => report.prs.reduce((n, t) => n + f(t), 0);
  const lines = [
    `PRs: ${report.prs.length} (${report.prs.filter((t) => t.pushedMidReview).length} pushed again mid-review), ${report.seconds.toFixed(0)} s`,
    `reviews posted: ${sum((t) => t.reviews)}; PRs with exactly one review on their last head: ${report.prs.filter((t) => t.reviewsOnFinalHead === 1).length}`,
    `summaries: ${sum((t) => t.summaries)}; recording the last head: ${report.prs.filter((t) => t.summaryFinal).length}`,
    `duplicate reviews: ${sum((t) => t.duplicateReviews)}; reviews on a superseded head: ${sum((t) => t.onSupersededHead)}`,
    `crashes: ${report.crashes.length}`,
    `requests: OpenAI ${report.requests.openai}, Gemini ${report.requests.gemini}, GitHub ${report.requests.github}`,
    `faults injected: OpenAI ${JSON.stringify(report.faults.openai)}, Gemini ${JSON.stringify(report.faults.gemini)}, GitHub ${JSON.stringify(report.faults.github)}`,
    `secondary-limit answers for exceeding 80 writes/min: ${report.faults.secondaryLimitHits}`,
    report.clean
      ? "soak: clean"
      : `soak: NOT CLEAN\n${report.problems
          .slice(0, 40)
          .map((p) => `  - ${p}`)
          .join("\n")}`,
  ];
  return lines.join("\n");
}
