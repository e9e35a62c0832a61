import { describe, expect, it } from "vitest";
import type { CommandJob } from "../../src/commands/command-job.js";
import { RepoConfig } from "../../src/config/repo-config.schema.js";
import type { ReviewJob } from "../../src/queue/review-job.js";
import { renderFindings, renderState } from "../../src/render/markers.js";
import { claimHead } from "../../src/review/claim-head.js";
import { lastReview } from "../../src/review/last-review.js";
import { commandRecordOf, commandText } from "../../src/store/record-command.js";
import type { StoredFinding } from "../../src/store/review-history.js";

const OLD = "a".repeat(40);
const NEW = "d".repeat(40);
const summary = (sha: string, paused = false) =>
  [
    "<!-- critic:summary -->",
    renderFindings([{ p: "a.ts", l: 4, s: "warning", c: "bug", m: "From the marker.", i: true }]),
    renderState({ sha, version: "0.1.0", paused }),
  ].join("\n");
const finding = (placement: StoredFinding["placement"]): StoredFinding => ({
  id: 1,
  path: "a.ts",
  line: 3,
  severity: "warning",
  category: "bug",
  source: "openai",
  message: "From the database.",
  placement,
  fingerprint: "0123456789abcdef0123456789abcdef",
  commentId: undefined,
  threadId: undefined,
});

describe("review/last-review", () => {
  it("takes the head and findings from the history when it has a reviewed review: it wins over the marker", () => {
    const last = lastReview(summary(OLD), {
      headSha: NEW,
      findings: [
        finding("inline"),
        finding("summary"),
        finding("earlier-inline"),
        finding("earlier"),
      ],
    });
    expect(last?.from).toBe("history");
    expect(last?.sha).toBe(NEW);
    expect(last?.findings.map((f) => [f.message, f.inline])).toEqual([
      ["From the database.", true],
      ["From the database.", false],
      ["From the database.", true],
      ["From the database.", false],
    ]);
  });

  it("falls back to the summary's markers, and to nothing before a first review", () => {
    expect(lastReview(summary(OLD), undefined)).toEqual({
      sha: OLD,
      findings: [
        {
          path: "a.ts",
          line: 4,
          severity: "warning",
          category: "bug",
          message: "From the marker.",
          inline: true,
        },
      ],
      from: "markers",
    });
    expect(lastReview(undefined, undefined)).toBeUndefined();
    expect(lastReview("<!-- critic:summary --> no state", undefined)).toBeUndefined();
  });
});

describe("review/claim-head", () => {
  const config = RepoConfig.parse({});
  const job: ReviewJob = {
    deliveryId: "d",
    installationId: 1,
    owner: "o",
    repo: "r",
    pullNumber: 1,
    headSha: NEW,
    title: "t",
    body: "",
    draft: false,
    trigger: "synchronize",
  };
  const comment = (body: string) => ({ id: 7, body }) as never;

  it("skips a head the history reviewed even when the marker names an older one", () => {
    expect(claimHead(job, config, comment(summary(OLD)), { headSha: NEW, findings: [] })).toEqual({
      kind: "skip",
      why: "head already reviewed",
    });
    const claimed = claimHead(job, config, comment(summary(NEW)), { headSha: OLD, findings: [] });
    expect(claimed.kind === "claimed" && claimed.last?.sha).toBe(OLD);
  });

  it("keeps the pause in the markers, whatever the history says", () => {
    expect(
      claimHead(job, config, comment(summary(OLD, true)), { headSha: OLD, findings: [] }),
    ).toEqual({ kind: "skip", why: "automatic reviews paused" });
  });
});

describe("store/record-command", () => {
  it("writes each command as it would have been typed", () => {
    expect(commandText({ name: "review", full: true })).toBe("/review full");
    expect(commandText({ name: "ask", question: "why?" })).toBe("/ask why?");
    expect(commandText({ name: "learn", text: "allow eval", org: false, path: "src/**" })).toBe(
      "/learn path:src/** allow eval",
    );
    expect(commandText({ name: "learn", text: "tabs", org: true })).toBe("/learn org: tabs");
    expect(commandText({ name: "forget", id: 3 })).toBe("/forget 3");
    expect(commandText({ name: "unknown", given: "/approve" })).toBe("/approve");
    expect(commandText({ name: "pause" })).toBe("/pause");
  });

  it("records who asked, where, and how it ended", () => {
    const job: CommandJob = {
      deliveryId: "d-9",
      installationId: 5,
      owner: "octo",
      repo: "app",
      pullNumber: 12,
      command: { name: "help" },
      sender: "maintainer",
      comment: { id: 1, kind: "issue" },
    };
    expect(commandRecordOf(job, { result: "refused", reason: "why" })).toEqual({
      deliveryId: "d-9",
      installationId: 5,
      owner: "octo",
      repo: "app",
      pullNumber: 12,
      sender: "maintainer",
      command: "help",
      text: "/help",
      result: "refused",
      reason: "why",
    });
  });
});
