/**
 * `npm run smoke:action`: the bundled GitHub Action, end to end, as a runner starts it. Builds
 * dist-action/, copies it with rules/ and package.json into an empty folder (no node_modules,
 * as in an Action's checkout), writes a pull_request event file, and runs `node
 * dist-action/index.js` with the runner's variables and inputs against a fake GitHub (GHE_HOST)
 * and a fake OpenAI server on loopback. Exits non-zero unless it posted one review, the rated
 * summary and a completed Critic check run.
 */
import { execFileSync, spawn } from "node:child_process";
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeGitHub } from "./fakes/fake-github.js";
import { startFakeLlm } from "./fakes/fake-llm.js";
import { pullRequestExample } from "./fakes/harness.js";

const patch =
  "@@ -1,3 +1,6 @@\n export function add(a, b) {\n   return a + b;\n }\n+export function divide(a, b) {\n+  return a / b;\n+}";
const github = await startFakeGitHub({
  appId: 0,
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
        severity: "critical",
        category: "bug",
        message: "Division by zero.",
        suggestion: null,
      },
    ],
    rating: 4,
    rating_reason: "One crash.",
    conclusion: "Handle b = 0, then merge.",
  },
});

execFileSync("npm", ["run", "-s", "build:action"], { stdio: "inherit" });
const root = await mkdtemp(join(tmpdir(), "critic-action-smoke-"));
for (const entry of ["dist-action", "rules", "package.json"])
  await cp(join(process.cwd(), entry), join(root, entry), { recursive: true });
const payload = pullRequestExample("opened");
delete payload.installation; // Actions' event files carry none
const eventPath = join(root, "event.json");
await writeFile(eventPath, JSON.stringify(payload));

const exitCode = await new Promise<number | null>((resolve) => {
  const child = spawn(process.execPath, [join(root, "dist-action/index.js")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_RUN_ID: "1",
      INPUT_GITHUB_TOKEN: "ghs_smoke_workflow_token",
      INPUT_OPENAI_API_KEY: "sk-smoke-test-key",
      INPUT_OPENAI_BASE_URL: llm.url,
      GHE_HOST: github.url.replace("http://", ""),
      GHE_PROTOCOL: "http",
    },
    // The runner's log lines (::error:: included) go to stdout: show them.
    stdio: ["ignore", "inherit", "inherit"],
    // A hang must fail CI, not hold it.
    timeout: 120_000,
  });
  child.on("exit", resolve);
});

try {
  const call = (method: string, suffix: RegExp) =>
    github.calls.filter((c) => c.method === method && suffix.test(c.path));
  const review = call("POST", /\/reviews$/)[0]?.body as { comments: unknown[] } | undefined;
  // Posted once, with the result (a first review).
  const summary = (call("POST", /\/issues\/\d+\/comments$/)[0]?.body as { body: string })?.body;
  const check = call("PATCH", /\/check-runs\/\d+$/)[0]?.body as { conclusion?: string } | undefined;
  console.log(
    `exit code ${exitCode}; GitHub calls: ${github.calls.map((c) => `${c.method} ${c.path}`).join(", ")}`,
  );
  const ok =
    exitCode === 0 &&
    review?.comments.length === 1 &&
    summary?.includes("**4/10**") === true &&
    check?.conclusion === "success";
  console.log(ok ? "smoke:action: ok" : "smoke:action: FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  await github.close();
  await llm.close();
}
