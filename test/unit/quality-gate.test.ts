import nock from "nock";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { decideGate, type GateInput } from "../../src/engine/merge/decide-gate.js";
import { type CheckAnnotation, completeCheckRun } from "../../src/github/check-runs.js";
import type { GitHub } from "../../src/github/octokit.js";
import type { Finding, Severity } from "../../src/model/types.js";
import { renderCheckOutput } from "../../src/render/render-check-run.js";
import { startCheckReport } from "../../src/review/report-check.js";
import { createRedactor } from "../../src/security/redactor.js";
import { GITHUB, OWNER, REPO } from "../helpers/github-nock.js";
import { captureLogs, TestOctokit } from "../helpers/test-app.js";

const found = (...severities: Severity[]) => severities.map((severity) => ({ severity }));
const model = (score: number) => ({ score, computed: false });
const rubric = (score: number) => ({ score, computed: true });
const OFF = { fail_on: "never", min_rating: 0 } as const;

describe("review/gate/decide-gate", () => {
  it.each<[string, GateInput, string, string[]]>([
    [
      "the default gate passes whatever was found",
      { gate: OFF, findings: found("critical"), rating: model(1), ai: "full" },
      "success",
      [],
    ],
    [
      "fail_on: critical trips on a critical finding",
      {
        gate: { fail_on: "critical", min_rating: 0 },
        findings: found("critical", "critical", "warning"),
        rating: model(3),
        ai: "full",
      },
      "failure",
      ["2 critical findings (`fail_on: critical`)"],
    ],
    [
      "fail_on: critical lets warnings through",
      {
        gate: { fail_on: "critical", min_rating: 0 },
        findings: found("warning", "suggestion"),
        rating: model(7),
        ai: "full",
      },
      "success",
      [],
    ],
    [
      "fail_on: warning trips on a warning (and counts criticals with it)",
      {
        gate: { fail_on: "warning", min_rating: 0 },
        findings: found("warning", "critical", "suggestion"),
        rating: model(7),
        ai: "full",
      },
      "failure",
      ["2 critical or warning findings (`fail_on: warning`)"],
    ],
    [
      "min_rating trips below the threshold",
      { gate: { fail_on: "never", min_rating: 7 }, findings: [], rating: model(6), ai: "full" },
      "failure",
      ["rating 6/10 is below `min_rating: 7`"],
    ],
    [
      "min_rating passes at the threshold",
      { gate: { fail_on: "never", min_rating: 7 }, findings: [], rating: model(7), ai: "full" },
      "success",
      [],
    ],
    [
      "both rules name what tripped",
      {
        gate: { fail_on: "critical", min_rating: 8 },
        findings: found("critical"),
        rating: model(4),
        ai: "full",
      },
      "failure",
      ["1 critical finding (`fail_on: critical`)", "rating 4/10 is below `min_rating: 8`"],
    ],
    [
      "nothing to review is not rated and passes min_rating",
      {
        gate: { fail_on: "critical", min_rating: 9 },
        findings: [],
        rating: undefined,
        ai: "not-used",
      },
      "success",
      [],
    ],
    [
      "every AI provider down: an active gate that static findings do not trip is neutral",
      {
        gate: { fail_on: "warning", min_rating: 0 },
        findings: found("suggestion"),
        rating: rubric(10),
        ai: "unavailable",
      },
      "neutral",
      ["every AI provider failed, so the gate could not be decided on static checks alone"],
    ],
    [
      "every AI provider down: a static critical finding still fails the gate",
      {
        gate: { fail_on: "critical", min_rating: 0 },
        findings: found("critical"),
        rating: rubric(7),
        ai: "unavailable",
      },
      "failure",
      ["1 critical finding (`fail_on: critical`)"],
    ],
    [
      "every AI provider down: a computed rating trips nothing (the model might rate higher)",
      {
        gate: { fail_on: "never", min_rating: 8 },
        findings: found("warning"),
        rating: rubric(6),
        ai: "unavailable",
      },
      "neutral",
      ["every AI provider failed, so the gate could not be decided on static checks alone"],
    ],
    [
      "every AI provider down with the gate off: success (the gate depends on nothing)",
      { gate: OFF, findings: found("warning"), rating: rubric(9), ai: "unavailable" },
      "success",
      [],
    ],
    [
      "part of the change without a model: an untripped gate is neutral",
      {
        gate: { fail_on: "critical", min_rating: 0 },
        findings: found("warning"),
        rating: model(8),
        ai: "partial",
      },
      "neutral",
      [
        "every AI provider failed for part of the change, so the gate could not be decided on static checks alone",
      ],
    ],
    [
      "part of the change without a model: a model rating below the threshold still fails",
      { gate: { fail_on: "never", min_rating: 7 }, findings: [], rating: model(5), ai: "partial" },
      "failure",
      ["rating 5/10 is below `min_rating: 7`"],
    ],
    [
      "no provider configured: static checks are the review and their computed rating counts",
      {
        gate: { fail_on: "never", min_rating: 8 },
        findings: found("critical"),
        rating: rubric(7),
        ai: "not-used",
      },
      "failure",
      ["rating 7/10 is below `min_rating: 8`"],
    ],
  ])("%s", (_name, input, conclusion, reasons) => {
    expect(decideGate(input)).toEqual({ conclusion, reasons });
  });
});

function finding(i: number, severity: Severity = "warning"): Finding {
  return {
    path: "src/x.ts",
    line: 3 + (i % 2),
    severity,
    category: "bug",
    message: `Problem ${i}.`,
    source: "openai",
  };
}

describe("review/render/render-check-run", () => {
  it("titles the run with the gate, rating and counts, drops hidden markers and annotates each finding", () => {
    const output = renderCheckOutput({
      summaryBody:
        '<!-- critic:summary -->\n## Critic review\n\n### Rating\n\n**4/10** — Risky.\n<!-- critic:state {"sha":"abc","version":"0.1.0"} -->',
      findings: [
        { ...finding(1, "critical"), startLine: 2 },
        finding(2, "warning"),
        finding(3, "suggestion"),
      ],
      rating: { score: 4 },
      gate: { conclusion: "failure", reasons: ["1 critical finding (`fail_on: critical`)"] },
      gateActive: true,
    });

    expect(output.title).toBe("Gate failed · Rating 4/10 · 1 critical, 1 warning, 1 suggestion");
    expect(output.summary).toBe(
      "**Quality gate failed:** 1 critical finding (`fail_on: critical`).\n\n## Critic review\n\n### Rating\n\n**4/10** — Risky.",
    );
    expect(output.annotations).toEqual([
      {
        path: "src/x.ts",
        start_line: 2,
        end_line: 4,
        annotation_level: "failure",
        title: "🔴 Critical · bug",
        message: "Problem 1.",
      },
      {
        path: "src/x.ts",
        start_line: 3,
        end_line: 3,
        annotation_level: "warning",
        title: "🟠 Warning · bug",
        message: "Problem 2.",
      },
      {
        path: "src/x.ts",
        start_line: 4,
        end_line: 4,
        annotation_level: "notice",
        title: "💡 Suggestion · bug",
        message: "Problem 3.",
      },
    ]);
  });

  it("keeps the summary within GitHub's 65,535 characters and says when the gate is off", () => {
    const output = renderCheckOutput({
      summaryBody: "x".repeat(70_000),
      findings: [],
      rating: undefined,
      gate: { conclusion: "success", reasons: [] },
      gateActive: false,
    });

    expect(output.title).toBe("Not rated · 0 critical, 0 warnings, 0 suggestions");
    expect(output.summary.length).toBe(65_535);
    expect(output.summary).toMatch(/^The quality gate is off/);
    expect(output.summary).toMatch(/_\(Truncated: GitHub limits this text\.\)_$/);
  });
});

describe("github/check-runs", () => {
  it("completes a run with 120 annotations in 3 requests: 50 with the conclusion, then 50 and 20 appended", async () => {
    const gh = new TestOctokit({ auth: "token" }) as unknown as GitHub;
    const bodies: Array<Record<string, unknown>> = [];
    const scope = nock(GITHUB)
      .patch(`/repos/${OWNER}/${REPO}/check-runs/42`, (body: Record<string, unknown>) => {
        bodies.push(body);
        return true;
      })
      .times(3)
      .reply(200, { id: 42 });
    const annotations: CheckAnnotation[] = Array.from({ length: 120 }, (_, i) => ({
      path: "src/x.ts",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "warning",
      message: `Problem ${i}.`,
    }));

    await completeCheckRun(gh, { owner: OWNER, repo: REPO }, 42, "failure", {
      title: "Gate failed",
      summary: "Summary.",
      annotations,
    });

    expect(scope.isDone()).toBe(true);
    expect(bodies.map((b) => (b.output as { annotations: unknown[] }).annotations.length)).toEqual([
      50, 50, 20,
    ]);
    expect(bodies[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    // Appending requests change nothing but the annotations, and resend the title and summary.
    for (const body of bodies.slice(1)) {
      expect(body).not.toHaveProperty("status");
      expect(body).not.toHaveProperty("conclusion");
      expect(body.output).toMatchObject({ title: "Gate failed", summary: "Summary." });
    }
    const lines = bodies.flatMap((b) =>
      (b.output as { annotations: CheckAnnotation[] }).annotations.map((a) => a.start_line),
    );
    expect(lines).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });
});

describe("review/stages/report-check", () => {
  it("lets a deferred review complete the run it opened before, once, redacted, without creating another", async () => {
    const gh = new TestOctokit({ auth: "token" }) as unknown as GitHub;
    const bodies: Array<Record<string, unknown>> = [];
    nock(GITHUB)
      .patch(`/repos/${OWNER}/${REPO}/check-runs/42`, (body: Record<string, unknown>) => {
        bodies.push(body);
        return true;
      })
      .reply(200, { id: 42 });
    const log = pino({ level: "silent" }, captureLogs().stream);

    const secret = "sk-operator-key-0123456789";
    const redactor = createRedactor([secret]);

    const report = await startCheckReport(
      { gh, log, redactor },
      { ref: { owner: OWNER, repo: REPO }, headSha: "a".repeat(40), existingId: 42 },
    );
    await report.complete("success", {
      title: `t ${secret}`,
      summary: `s ${secret}`,
      annotations: [
        {
          path: "a.ts",
          start_line: 1,
          end_line: 1,
          annotation_level: "notice",
          message: `m ${secret}`,
        },
      ],
    });
    await report.complete("cancelled", { title: "again", summary: "s" });

    expect(report.id).toBe(42);
    expect(bodies).toMatchObject([{ status: "completed", conclusion: "success" }]);
    expect(JSON.stringify(bodies)).not.toContain(secret);
  });
});
