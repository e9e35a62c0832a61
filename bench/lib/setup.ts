import { type CriticProcess, startCritic } from "../fakes/critic-process.js";
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from "../fakes/fake-github.js";
import { type FakeLlm, startFakeLlm } from "../fakes/fake-llm.js";
import { deliverWebhook, pullRequestPayload, waitFor } from "../fakes/harness.js";

export const APP_ID = 9009;
export const SECRET = "bench-webhook-secret";

export type Pr = { installation: number; owner: string; repo: string; number: number; sha: string };

export type Bench = {
  github: FakeGitHub;
  llm: FakeLlm;
  critic: CriticProcess;
  /** Delivers `pull_request.opened` (or `synchronize`, with `before`) for a PR. */
  open(pr: Pr, before?: string): Promise<Response>;
  /** Resolves when every PR's summary records its current head as reviewed. */
  reviewed(prs: readonly Pr[], timeoutMs: number): Promise<void>;
};

let deliveries = 0;

/** `count` PRs spread round-robin over `installations` installations (one repository each). */
export function spreadPrs(count: number, installations: number, firstInstallation = 1): Pr[] {
  return Array.from({ length: count }, (_, i) => {
    const installation = firstInstallation + (i % installations);
    return {
      installation,
      owner: `org${installation}`,
      repo: "app",
      number: 1 + Math.floor(i / installations),
      sha: shaOf(`${installation}-${i}`),
    };
  });
}

export function shaOf(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let round = 0; out.length < 40; round++) {
    for (const c of `${seed}:${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

export const prKey = (pr: Pr) => `${pr.owner}/${pr.repo}#${pr.number}`;

/** Starts the fakes and the real server, runs `fn`, and always stops all three. */
export async function withBench<T>(
  options: {
    github: Omit<FakeGitHubOptions, "appId" | "headSha"> & {
      headSha?: FakeGitHubOptions["headSha"];
    };
    llm?: Parameters<typeof startFakeLlm>[0];
    env?: Record<string, string>;
    nodeArgs?: string[];
    /** Heads of the PRs: `GET /pulls/{n}` answers these. */
    prs?: readonly Pr[];
    /** Where the server's log goes (info level, JSON). */
    logFile?: string;
  },
  fn: (bench: Bench) => Promise<T>,
): Promise<T> {
  const heads = new Map(
    (options.prs ?? []).map((pr) => [`${pr.owner}/${pr.repo}#${pr.number}`, pr.sha]),
  );
  const github = await startFakeGitHub({
    appId: APP_ID,
    headSha: (n, repo) => heads.get(`${repo}#${n}`) ?? "0".repeat(40),
    ...options.github,
  });
  const llm = await startFakeLlm(options.llm);
  let critic: CriticProcess | undefined;
  try {
    critic = await startCritic({
      appId: APP_ID,
      secret: SECRET,
      githubUrl: github.url,
      env: { OPENAI_API_KEY: "sk-bench-key", OPENAI_BASE_URL: llm.url, ...options.env },
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
      ...(options.logFile ? { logFile: options.logFile } : {}),
    });
    const port = critic.port;
    const bench: Bench = {
      github,
      llm,
      critic,
      open: (pr, before) =>
        deliverWebhook(
          port,
          SECRET,
          `bench-${process.pid}-${++deliveries}`,
          pullRequestPayload({
            action: before ? "synchronize" : "opened",
            installation: pr.installation,
            owner: pr.owner,
            repo: pr.repo,
            number: pr.number,
            sha: pr.sha,
            before,
          }),
        ),
      reviewed: (prs, timeoutMs) =>
        waitFor(() => {
          if (critic?.exit) throw new Error(`Critic exited:\n${critic.stderr()}`);
          return prs.every(
            (pr) =>
              github.reviewed.get(prKey(pr))?.sha ===
              github.headOf(`${pr.owner}/${pr.repo}`, pr.number),
          );
        }, timeoutMs),
    };
    return await fn(bench);
  } finally {
    await critic?.stop();
    await github.close();
    await llm.close();
  }
}
