/**
 * `npm run smoke`: the "done when" of the core, end to end. Starts a fake GitHub API and a fake
 * OpenAI-compatible server on loopback, runs the real server (`node dist/bin/start.js`) against
 * them through GHE_HOST and OPENAI_BASE_URL, delivers one signed pull_request.opened webhook, and
 * prints how fast it was answered and what Critic posted. Exits non-zero if anything is missing.
 */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeGitHub } from "./fakes/fake-github.js";
import { startFakeLlm } from "./fakes/fake-llm.js";
import {
  appPrivateKey,
  deliverWebhook,
  freePort,
  pullRequestExample,
  waitFor,
} from "./fakes/harness.js";

const APP_ID = 4242;
const SECRET = "smoke-webhook-secret";
const patch =
  "@@ -1,3 +1,6 @@\n export function add(a, b) {\n   return a + b;\n }\n+export function divide(a, b) {\n+  return a / b;\n+}";

const github = await startFakeGitHub({
  appId: APP_ID,
  headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
  files: [
    { filename: "src/math.js", status: "modified", additions: 3, deletions: 0, changes: 3, patch },
  ],
});
const llm = await startFakeLlm({
  answer: {
    summary: "Adds divide().",
    findings: [
      {
        path: "src/math.js",
        line: 5,
        start_line: null,
        severity: "warning",
        category: "bug",
        message: "Division by zero.",
        suggestion: "  return b === 0 ? NaN : a / b;",
      },
      {
        path: "src/math.js",
        line: 80,
        start_line: null,
        severity: "suggestion",
        category: "style",
        message: "A line far outside the diff.",
        suggestion: null,
      },
    ],
    rating: 7,
    rating_reason: "Small and clear, one edge case.",
    conclusion: "Handle b = 0, then merge.",
  },
});
const port = await freePort();
const privateKey = appPrivateKey();

// The model settings come from a .env file in the working directory, as a user would keep them.
const cwd = await mkdtemp(join(tmpdir(), "critic-smoke-"));
await writeFile(
  join(cwd, ".env"),
  `OPENAI_API_KEY=sk-smoke-test-key\nOPENAI_BASE_URL=${llm.url}\n`,
);
const child = spawn(process.execPath, [join(process.cwd(), "dist/bin/start.js")], {
  cwd,
  env: {
    PATH: process.env.PATH,
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: github.url.replace("http://", ""),
    GHE_PROTOCOL: "http",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});

try {
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true,
    15_000,
  );
  const payload = pullRequestExample("opened");
  const started = performance.now();
  const response = await deliverWebhook(port, SECRET, "smoke-1", payload);
  const ackMs = performance.now() - started;
  // The check run is completed last, after the summary.
  await waitFor(
    async () => github.calls.some((c) => c.method === "PATCH" && c.path.includes("/check-runs/")),
    15_000,
  );
  const review = github.calls.find((c) => c.method === "POST" && c.path.endsWith("/reviews"))
    ?.body as { comments: Array<{ line: number }> } | undefined;
  // The summary: posted once at the end of a first review (or edited, on a later one).
  const summary =
    (
      github.calls.findLast(
        (c) =>
          (c.method === "POST" && /\/issues\/\d+\/comments$/.test(c.path)) ||
          (c.method === "PATCH" && /\/issues\/comments\/\d+$/.test(c.path)),
      )?.body as { body: string } | undefined
    )?.body ?? "";

  console.log(`webhook answered ${response.status} in ${ackMs.toFixed(1)} ms`);
  console.log(`GitHub calls: ${github.calls.map((c) => `${c.method} ${c.path}`).join(", ")}`);
  console.log(`model requests: ${llm.requests}`);
  console.log(`inline comments on lines: ${review?.comments.map((c) => c.line).join(", ")}`);
  console.log(
    `summary has rating: ${/\*\*7\/10\*\*/.test(summary)}, outside-the-diff section: ${summary.includes("Outside the diff")}`,
  );
  const ok =
    response.status === 200 &&
    review?.comments.length === 1 &&
    summary.includes("**7/10**") &&
    summary.includes("Outside the diff");
  console.log(ok ? "smoke: ok" : "smoke: FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  child.kill();
  await github.close();
  await llm.close();
}
