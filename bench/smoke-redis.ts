/**
 * `npm run smoke:redis`: Redis mode end to end with real processes. A receiver (`npm start`) and
 * two workers (`npm run worker`) share the local Redis; a fake GitHub and a slow fake model run
 * on loopback. Five quick pushes to one PR and one new PR arrive; one worker is killed (SIGKILL)
 * while reviewing. Each PR must get exactly one review (the first on its last push).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { startFakeGitHub } from "./fakes/fake-github.js";
import { startFakeLlm } from "./fakes/fake-llm.js";
import {
  appPrivateKey,
  deliverWebhook,
  freePort,
  pullRequestExample,
  waitFor,
} from "./fakes/harness.js";

const APP_ID = 4243;
const SECRET = "smoke-redis-secret";
const LAST = "e".repeat(40);
const example = pullRequestExample;
const patch = "@@ -1,2 +1,4 @@\n a\n b\n+c\n+d";

const github = await startFakeGitHub({
  appId: APP_ID,
  headSha: (n) => (n === 2 ? LAST : example("opened").pull_request.head.sha),
  files: [
    { filename: "src/x.ts", status: "modified", additions: 2, deletions: 0, changes: 2, patch },
  ],
});
const llm = await startFakeLlm({
  latencyMs: 1_500,
  answer: {
    summary: "s",
    findings: [
      {
        path: "src/x.ts",
        line: 3,
        start_line: null,
        severity: "warning",
        category: "bug",
        message: "m",
        suggestion: null,
      },
    ],
    rating: 6,
    rating_reason: "r",
    conclusion: "c",
  },
});
const port = await freePort();
const privateKey = appPrivateKey();
const env: Record<string, string> = {
  PATH: process.env.PATH ?? "",
  APP_ID: String(APP_ID),
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: SECRET,
  GHE_HOST: github.url.replace("http://", ""),
  GHE_PROTOCOL: "http",
  OPENAI_API_KEY: "sk-smoke-redis-key",
  OPENAI_BASE_URL: llm.url,
  REDIS_URL: "redis://127.0.0.1:6379",
  CRITIC_REDIS_PREFIX: `critic-smoke-${Date.now()}`,
  CRITIC_DEBOUNCE_MS: "300",
  CRITIC_PR_LOCK_MS: "3000",
  LOG_LEVEL: "warn",
};
const children: ChildProcess[] = [];
const start = (script: string, extra: Record<string, string> = {}) => {
  const child = spawn(process.execPath, [script], {
    env: { ...env, ...extra },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  return child;
};

try {
  start("dist/bin/start.js", { PORT: String(port), HOST: "127.0.0.1" });
  const doomed = start("dist/bin/worker.js");
  start("dist/bin/worker.js");
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true,
    15_000,
  );

  const deliver = async (id: string, action: string, payload: unknown) => {
    const response = await deliverWebhook(port, SECRET, id, payload);
    if (response.status !== 200) throw new Error(`${action} answered ${response.status}`);
  };
  for (const sha of ["a", "b", "c", "d", "e"].map((c) => c.repeat(40))) {
    const push = example("synchronize");
    push.pull_request.head.sha = sha;
    await deliver(`push-${sha}`, "synchronize", push);
  }
  const other = example("opened");
  other.pull_request.number = 3;
  await deliver("open-3", "opened", other);
  await deliver("open-3", "opened", other); // a redelivery

  await waitFor(async () => llm.requests > 0, 20_000);
  doomed.kill("SIGKILL");
  console.log("killed one worker while a review was in flight");

  const reviewsOf = (n: number) =>
    github.calls.filter((c) => c.method === "POST" && c.path.endsWith(`/pulls/${n}/reviews`));
  await waitFor(async () => reviewsOf(2).length > 0 && reviewsOf(3).length > 0, 120_000);
  await new Promise((r) => setTimeout(r, 3_000));
  const pr2 = reviewsOf(2);
  const pr3 = reviewsOf(3);
  console.log(
    `PR 2: ${pr2.length} review(s) on ${pr2.map((r) => (r.body as { commit_id: string }).commit_id.slice(0, 7)).join(", ")}`,
  );
  console.log(`PR 3: ${pr3.length} review(s); model requests: ${llm.requests}`);
  const ok =
    pr2.length === 1 &&
    (pr2[0]?.body as { commit_id?: string } | undefined)?.commit_id === LAST &&
    pr3.length === 1;
  console.log(ok ? "smoke:redis: ok" : "smoke:redis: FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  await github.close();
  await llm.close();
}
