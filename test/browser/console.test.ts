/**
 * The web console in a real Chromium, against the real server: sign-in through a fake GitHub (its
 * consent page answered by the browser's request routing, its API by nock in this process), a file
 * reviewed, an assignment followed to its result, and the operator dashboard. Each test saves a
 * screenshot (CRITIC_SCREENSHOTS=docs/screenshots refreshes README's).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import pino from "pino";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildConsole } from "../../scripts/build-console.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore, type Store } from "../../src/store/open-store.js";
import { findChromium, launch, screenshot } from "../helpers/browser.js";
import { createFakeClock } from "../helpers/fake-clock.js";
import { GITHUB, githubMock } from "../helpers/github-nock.js";
import { modelAnswer, openaiMock } from "../helpers/llm-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { repositoryMock } from "../helpers/repository-nock.js";
import { serve } from "../helpers/serve.js";
import { createTestApp, type TestApp } from "../helpers/test-app.js";

const chromiumPath = findChromium("the console's browser tests");
const CLIENT = {
  GITHUB_CLIENT_ID: "Iv1.browser0123",
  GITHUB_CLIENT_SECRET: "browser-secret-0123456789",
};
const PYTHON = "import os\n\nvalue = eval(input())\nprint(value)\n";
// The fake model's price: 1,200 tokens in and 300 out cost $0.0048.
const PRICES = JSON.stringify({ "gpt-test": { input: 2, output: 8 } });

let dir = "";
let store: Store;
let app: TestApp;
let base = "";
let browser: Browser;
let stopServer: () => Promise<void> = async () => {};
const contexts: BrowserContext[] = [];

describe.skipIf(!chromiumPath)("the web console in Chromium", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "critic-browser-"));
    await buildConsole(join(dir, "assets"));
    store = await openStore(
      { databaseUrl: undefined, dataDir: dir, retentionDays: 90 },
      {
        log: pino({ level: "silent" }),
        redactor: createRedactor(),
        clock: createFakeClock(Date.now()).clock,
      },
    );
    app = await createTestApp(
      {
        ...CLIENT,
        CRITIC_CONSOLE_OPERATORS: "ops-lead",
        CRITIC_DATA_DIR: dir,
        CRITIC_PRICES: PRICES,
      },
      { store, consoleAssets: join(dir, "assets") },
    );
    app.clock.advance(Date.now() - app.clock.clock.now());
    const server = await serve(app.handlers);
    base = server.base;
    stopServer = server.close;
    browser = await launch(chromiumPath ?? "");
  }, 120_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    nock.cleanAll();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer();
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Signs `login` in as a person would: the sign-in page's button, GitHub's consent (the fake
   * sends the browser straight back with a code), and GitHub's answers to Critic.
   */
  async function signIn(
    login: string,
    repositories: string[],
    viewport = { width: 1280, height: 860 },
  ): Promise<Page> {
    const token = `ghu_${login}_browser0123456789`;
    nock("https://github.com")
      .post(
        "/login/oauth/access_token",
        (body: Record<string, string>) => body.code === `code-${login}`,
      )
      .reply(200, { access_token: token, token_type: "bearer" });
    nock(GITHUB, { reqheaders: { authorization: `Bearer ${token}` } })
      .get("/user")
      .reply(200, { login, id: 9 })
      .get("/user/installations")
      .query(true)
      .reply(200, { total_count: 1, installations: [{ id: 42 }] })
      .get("/user/installations/42/repositories")
      .query(true)
      .reply(200, {
        total_count: repositories.length,
        repositories: repositories.map((full_name) => ({ full_name })),
      });
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.route("https://github.com/login/oauth/authorize**", async (route) => {
      const state = new URL(route.request().url()).searchParams.get("state") ?? "";
      await route.fulfill({
        status: 302,
        headers: { location: `${base}/console/auth/callback?code=code-${login}&state=${state}` },
      });
    });
    await page.goto(`${base}/console`);
    if (login === "octocat" && viewport.width > 1000)
      await screenshot(page, "console-sign-in", join(dir, "screenshots"));
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.locator("strong.login").filter({ hasText: login }).waitFor({ timeout: 10_000 });
    // Nothing the strict Content-Security-Policy refused, and no script error.
    expect(errors).toEqual([]);
    return page;
  }

  it("signs in, reviews a pasted file and shows the eval finding on its line", async () => {
    const page = await signIn("octocat", ["acme/api"]);
    openaiMock([{ answer: modelAnswer([]) }]);
    await page.getByLabel("File name").fill("app.py");
    await page.getByRole("textbox", { name: "Code" }).click();
    await page.keyboard.insertText(PYTHON);
    await page.getByRole("button", { name: "Review", exact: true }).click();

    await page
      .getByTestId("rating")
      .filter({ hasText: /\d+\/10/ })
      .waitFor({ timeout: 15_000 });
    const line3 = page.locator(".cm-line").nth(2);
    expect(await line3.textContent()).toBe("value = eval(input())");
    expect(await line3.getAttribute("class")).toContain("cm-finding-line-critical");
    expect(await page.locator(".cm-finding-note[data-line='3']").textContent()).toMatch(/eval/i);
    const finding = page.locator("li.finding[data-line='3']").first();
    expect(await finding.getAttribute("data-severity")).toBe("critical");
    expect(await page.getByRole("link", { name: "Download Markdown" }).count()).toBe(1);
    await screenshot(page, "console-review", join(dir, "screenshots"));

    // The submission is listed among the person's own, and reopens with its finding in place.
    await page.getByRole("link", { name: "My submissions" }).click();
    await page.locator("a.submission-link", { hasText: "app.py" }).waitFor();
    await screenshot(page, "console-submissions", join(dir, "screenshots"));
    await page.locator("a.submission-link", { hasText: "app.py" }).click();
    await page.locator(".cm-finding-note[data-line='3']").waitFor();
  });

  it("fits a phone: the result is below the editor and nothing scrolls sideways", async () => {
    const page = await signIn("octocat", ["acme/api"], { width: 390, height: 844 });
    openaiMock([{ answer: modelAnswer([]) }]);
    await page.getByLabel("File name").fill("app.py");
    await page.getByRole("textbox", { name: "Code" }).click();
    await page.keyboard.insertText(PYTHON);
    await page.getByRole("button", { name: "Review", exact: true }).click();
    await page
      .getByTestId("rating")
      .filter({ hasText: /\d+\/10/ })
      .waitFor({ timeout: 15_000 });
    const overflow = await page.evaluate<number>(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "console-review-phone", join(dir, "screenshots"));
  });

  it("starts an assignment and shows its progress, then the result", async () => {
    const page = await signIn("octocat", ["cand/calc"]);
    repositoryMock({ installed: true });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    openaiMock([
      {
        answer: modelAnswer([
          { path: "calc.py", line: 3, message: "eval of user input runs arbitrary code." },
        ]),
        heldUntil: held,
      },
      {
        text: JSON.stringify({
          rating: 4,
          rating_rationale: "Works, but evaluates raw input and has no real tests.",
          conclusion: "Not at the middle bar yet.",
        }),
      },
    ]);
    await page.getByRole("link", { name: "Assignment" }).click();
    await page.getByLabel("Repository URL").fill("https://github.com/cand/calc");
    await page.getByLabel("Assignment", { exact: true }).fill("Write a Python calculator.");
    await page.getByLabel("Candidate level").selectOption("Middle");
    await page.getByRole("button", { name: "Review assignment" }).click();

    // The model holds its answer: the page shows the review under way, files counted.
    const progress = page.getByRole("progressbar", { name: "Files reviewed" });
    await progress.waitFor({ timeout: 15_000 });
    await page
      .getByTestId("progress")
      .filter({ hasText: /of \d+ files/ })
      .waitFor();
    expect(await page.getByTestId("rating").count()).toBe(0);
    release();

    await page.getByTestId("rating").filter({ hasText: "4/10" }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("conclusion").textContent()).toContain("Not at the middle bar");
    expect(await page.getByTestId("findings").textContent()).toContain("calc.py:3");
    await screenshot(page, "console-assignment", join(dir, "screenshots"));
  });

  it("shows an operator the review just made and its cost; an account that cannot see the repository does not see it", async () => {
    githubMock().token().firstReview();
    openaiMock([
      { answer: modelAnswer([{ path: "src/x.ts", line: 3, message: "Division by zero." }]) },
    ]);
    await app.probot.receive({
      id: "browser-pr-1",
      name: "pull_request",
      payload: pullRequestPayload("opened") as never,
    });
    await app.idle();

    const lead = await signIn("ops-lead", []);
    await page(lead, "Operator");
    const recent = lead.getByRole("region", { name: "Recent pull-request reviews, newest first" });
    await recent.getByText("Codertocat/Hello-World").waitFor();
    expect(await recent.textContent()).toContain("$0.0048");
    await lead.getByRole("img", { name: /Spend per day/ }).waitFor();
    await lead.getByRole("img", { name: /Spend by repository/ }).waitFor();
    expect(await lead.locator("li[data-provider] .badge").count()).toBeGreaterThan(0);
    await screenshot(lead, "console-operator", join(dir, "screenshots"));

    const outsider = await signIn("octocat", ["acme/api"]);
    await page(outsider, "Pull-request reviews");
    await outsider.getByRole("heading", { name: "Pull-request reviews" }).waitFor();
    expect(await outsider.locator("main").textContent()).not.toContain("Codertocat/Hello-World");
    expect(await outsider.getByRole("link", { name: "Operator" }).count()).toBe(0);
    await screenshot(outsider, "console-reviews", join(dir, "screenshots"));
  });
});

async function page(on: Page, link: string) {
  await on.getByRole("navigation", { name: "Console" }).getByRole("link", { name: link }).click();
}
