import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import {
  type GitHubFile,
  makeModifiedFile,
  realPullRequest,
  realSources,
} from "../lib/real-patches.js";
import { judged, row, type ScenarioResult } from "../lib/report.js";
import { type Pr, prKey, shaOf, withBench } from "../lib/setup.js";

const tokens = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

/**
 * GitHub REST calls one review makes, by endpoint, for a 100-file PR (real patches) in a fresh
 * installation; the installation token, minted once an hour per installation, is listed apart.
 */
export async function restCalls(): Promise<ScenarioResult> {
  const files = realPullRequest(100, 20, 21);
  const pr: Pr = { installation: 501, owner: "calls", repo: "app", number: 1, sha: shaOf("calls") };
  return withBench({ github: { files }, prs: [pr] }, async (bench) => {
    await bench.open(pr);
    await bench.reviewed([pr], 120_000);
    // The check run is completed after the summary: give the last write time to land.
    await new Promise((r) => setTimeout(r, 2_000));
    const counts = bench.github.countByRoute((c) => c.installation === pr.installation);
    const rest = [...counts].filter(([route]) => !route.endsWith("/graphql"));
    const total = rest.reduce((n, [, c]) => n + c, 0);
    const graphql = counts.get("POST /graphql") ?? 0;
    const tokensMinted = bench.github.calls.filter(
      (c) => c.route === "/app/installations/{n}/access_tokens",
    ).length;
    return {
      id: "calls",
      title: "GitHub REST calls per review",
      method:
        "One review of a 100-file PR (real patches, no `.github/critic.yml`, no earlier summary) in a fresh installation, calls counted by the fake GitHub per endpoint for that installation's token.",
      rows: [
        judged("REST calls for the review", String(total), "≤ 6 for a ≤ 100-file PR", total <= 6),
        ...rest.sort().map(([route, n]) => row(`  ${route}`, String(n))),
        row("GraphQL requests (head files and repository rules, 50 files each)", String(graphql)),
        row(
          "installation token minted (app JWT; once an hour per installation)",
          String(tokensMinted),
        ),
      ],
      notes:
        total > 6
          ? [
              "Target missed. Without a `.github/critic.yml`, reading the configuration costs two calls (the repository, then the organisation's `.github` repository, as Probot's `context.config` does); the summary is written twice (created \"in progress\", then edited) so people see the review started; the PR is read again just before posting, so a review is never posted on a head that moved; and the `Critic` check run (the quality gate) is created in progress and completed, two calls. Caching the configuration per repository for a few minutes, or dropping the in-progress summary, would each save one call.",
            ]
          : [],
    };
  });
}

/**
 * What the model is sent: requests, prompt tokens (counted by the fake with o200k, as OpenAI's
 * current models count them) against the tokens of the diff itself, for a 20-file PR; then a push
 * that changes 1 of the 20 files, reviewed incrementally.
 */
export async function llmCost(): Promise<ScenarioResult> {
  const base = realPullRequest(20, 30, 31);
  const first = shaOf("cost-1");
  const second = shaOf("cost-2");
  const source = realSources(600).at(-1);
  // The push rewrites part of the first file: a different window of real code.
  const changed: GitHubFile = makeModifiedFile(
    base[0]?.filename ?? "src/a.ts",
    source?.lines.slice(0, 60) ?? [],
    30,
    99,
  );
  const pr: Pr = { installation: 601, owner: "cost", repo: "app", number: 1, sha: first };
  const heads = new Map([[prKey(pr), first]]);
  return withBench(
    {
      github: {
        files: () => (heads.get(prKey(pr)) === second ? [changed, ...base.slice(1)] : base),
        compare: (_repo, from, to) =>
          from === first && to === second ? { status: "ahead", files: [changed] } : undefined,
      },
      llm: { countTokens: true },
      prs: [pr],
    },
    async (bench) => {
      await bench.open(pr);
      await bench.reviewed([pr], 60_000);
      const full = { ...bench.llm.stats };
      bench.llm.resetStats();
      heads.set(prKey(pr), second);
      bench.github.setHead("cost/app", 1, second);
      await bench.open({ ...pr, sha: second }, first);
      await bench.reviewed([{ ...pr, sha: second }], 60_000);
      const incremental = { ...bench.llm.stats };
      const diffTokens = base.reduce((n, f) => n + tokens(f.patch), 0);
      const ratio = (full.promptTokens - full.systemTokens) / diffTokens;
      const share = incremental.promptTokens / full.promptTokens;
      const systemPerRequest = full.systemTokens / Math.max(1, full.requests);
      return {
        id: "cost",
        title: "LLM cost shape",
        method: `A 20-file PR (${base.reduce((n, f) => n + f.changes, 0)} changed lines of real code), reviewed in full; then a push changing 1 of its files, reviewed incrementally (compare API). Tokens are counted by the fake model with o200k over what it receives; diff tokens are those of the files' patches as GitHub sends them.`,
        rows: [
          row("model requests, full review", String(full.requests)),
          row("prompt tokens, full review", String(full.promptTokens)),
          row("system prompt tokens per request", systemPerRequest.toFixed(0)),
          row("diff tokens (patches)", String(diffTokens)),
          judged(
            "(prompt − system prompts) / diff tokens",
            ratio.toFixed(2),
            "≤ 1.2",
            ratio <= 1.2,
          ),
          row("model requests, incremental push", String(incremental.requests)),
          judged(
            "incremental prompt tokens / full review's",
            `${(share * 100).toFixed(1)} % (${incremental.promptTokens})`,
            "≤ 10 %",
            share <= 0.1,
          ),
        ],
        notes: [],
      };
    },
  );
}
