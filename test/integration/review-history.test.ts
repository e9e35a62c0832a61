import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/security/redactor.js";
import { EMBEDDED_FILE, openStore } from "../../src/store/open-store.js";
import { githubMock } from "../helpers/github-nock.js";
import { pullRequestPayload } from "../helpers/payloads.js";
import { createTestApp } from "../helpers/test-app.js";

describe("review history through the webhook path", () => {
  it("records each pull-request review's outcome in the embedded store", async () => {
    const dir = await mkdtemp(join(tmpdir(), "critic-history-"));
    const store = await openStore(
      { databaseUrl: undefined, dataDir: dir, retentionDays: 90 },
      {
        log: pino({ level: "silent" }),
        redactor: createRedactor(),
        clock: { now: () => 1_000_000, sleep: async () => {}, random: () => 0.5 },
      },
    );
    const app = await createTestApp({ OPENAI_API_KEY: "" }, { store });
    try {
      githubMock()
        .token()
        .context()
        .createComment(9001)
        .listFiles([
          {
            filename: "src/config.js",
            status: "added",
            additions: 2,
            deletions: 0,
            changes: 2,
            patch: "@@ -0,0 +1,2 @@\n+debugger;\n+export const x = 1;",
          },
        ])
        .checkRun()
        .createReview();
      await app.probot.receive({
        id: "delivery-history",
        name: "pull_request",
        payload: pullRequestPayload("opened") as never,
      });
      await app.queue.onIdle();

      const [review] = (await app.runtime.history?.recent()) ?? [];
      expect(review).toMatchObject({
        deliveryId: "delivery-history",
        trigger: "opened",
        outcome: "reviewed",
      });
      expect(review?.durationMs).toBeGreaterThanOrEqual(0);
      // What the review found and how it rated it, from the engine's result.
      expect(review?.provider).toBe("static checks only");
      expect(review?.rating).toBeGreaterThanOrEqual(1);
      expect(review?.findings.map((f) => [f.path, f.line, f.category])).toContainEqual([
        "src/config.js",
        1,
        "maintainability",
      ]);
      expect(review?.bySeverity.warning).toBeGreaterThanOrEqual(1);
      expect(await app.runtime.history?.count()).toBe(1);
      // Closing the app closes the store and gives its file up.
      await app.close();
      expect(existsSync(join(dir, `${EMBEDDED_FILE}.lock`))).toBe(false);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
