import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { AssessmentResult } from "../assess/assess-repository.js";
import type { AssessmentRunner } from "../assess/assessment-runner.js";
import type { AssessmentRecord, AssessmentRequest } from "../assess/assessment-store.js";
import type { FileReview } from "../assess/review-single-file.js";
import type { UsageLine } from "../model/review-result.js";
import { redactSpans, scanSecrets } from "../security/scan-secrets.js";
import type { FindingView, SubmissionSummary, SubmissionView } from "./console-api-types.js";
import type { SubmissionRecord, SubmissionStore } from "./submission-store.js";

export type ReviewedFile = {
  review: FileReview;
  /** Lines the secret scan flagged: they are not kept. */
  secretLines: readonly number[];
};

/** Runs one file's review; throws at once (an ApiError) when no slot is free. */
export type FileReviewer = (input: {
  filename: string;
  content: string;
  language: string;
  signal: AbortSignal;
  onStart: () => void;
}) => Promise<ReviewedFile>;

export type SubmissionService = {
  submitFile(
    owner: string,
    input: { filename: string; content: string; language: string },
  ): Promise<SubmissionRecord>;
  submitAssignment(owner: string, request: AssessmentRequest): Promise<SubmissionRecord>;
  /** The submission as the page shows it (an assignment's state read from its assessment). */
  get(id: string): Promise<{ record: SubmissionRecord; view: SubmissionView } | undefined>;
  list(owner: string): Promise<SubmissionSummary[]>;
  /** Resolves when no file review started here is running (tests, shutdown). */
  idle(): Promise<void>;
};

// A page lists this many of a person's submissions.
const LISTED = 100;
// Findings kept per submission: a file of 5 MB can hold tens of thousands, and each poll and
// each reopening would carry them all.
export const MAX_KEPT_FINDINGS = 500;
// A file review nobody waits for any more ends here rather than holding a slot.
const FILE_TIMEOUT_MS = 300_000;
const SEVERITY = { error: "critical", warning: "warning", info: "suggestion" } as const;
export const REDACTED_LINE = "[line removed: a secret was found here]";

/**
 * The console's submissions: single files reviewed in the background (the page polls), and
 * assignments handed to the assessment runner. Each is kept for its owner to list and reopen; a
 * file is kept only after its review, with the lines that held a secret removed.
 */
export function createSubmissionService(deps: {
  store: SubmissionStore;
  reviewFile: FileReviewer;
  assessments: AssessmentRunner | undefined;
  now: () => number;
  log: Pick<Logger, "warn">;
}): SubmissionService {
  const running = new Set<Promise<void>>();
  const save = (record: SubmissionRecord) =>
    deps.store.put(record).catch((error: unknown) => {
      deps.log.warn({ err: error, submission: record.id }, "could not save a console submission");
    });

  return {
    async submitFile(owner, submitted) {
      // A key in a file's name is kept out of the record like one in its text.
      const filename = redactSpans(submitted.filename, await scanSecrets(submitted.filename));
      const input = { ...submitted, filename };
      const now = deps.now();
      const record: SubmissionRecord = {
        id: randomUUID(),
        owner,
        kind: "file",
        title: filename,
        status: "queued",
        rating: null,
        createdAt: now,
        updatedAt: now,
      };
      let started: Promise<void> = Promise.resolve();
      // Throws before anything is kept when every slot is taken.
      const review = deps.reviewFile({
        ...input,
        signal: AbortSignal.timeout(FILE_TIMEOUT_MS),
        onStart: () => {
          started = save({ ...record, status: "running", updatedAt: deps.now() });
        },
      });
      await deps.store.put(record);
      const job = review
        .then(async ({ review, secretLines }) => {
          await started;
          await save({
            ...record,
            status: "done",
            rating: review.rating,
            updatedAt: deps.now(),
            file: {
              filename: input.filename,
              language: input.language,
              content: withoutLines(input.content, withBlocks(input.content, secretLines)),
            },
            result: fileResult(review),
          });
        })
        .catch(async (error: unknown) => {
          await started;
          await save({
            ...record,
            status: "failed",
            updatedAt: deps.now(),
            error: `the review failed: ${(error as Error).message?.replace(/^\[critic\] /, "") || "no reason given"}`,
          });
        })
        .finally(() => running.delete(job));
      running.add(job);
      return record;
    },

    async submitAssignment(owner, request) {
      if (!deps.assessments) throw new Error("[critic] assignment reviews need the GitHub App");
      const assessment = await deps.assessments.submit(request);
      const now = deps.now();
      const record: SubmissionRecord = {
        id: randomUUID(),
        owner,
        kind: "assignment",
        title: request.github_repo_url,
        status: assessment.status,
        rating: null,
        createdAt: now,
        updatedAt: now,
        assessmentId: assessment.id,
      };
      await deps.store.put(record);
      return record;
    },

    async get(id) {
      let record = await deps.store.get(id);
      if (!record) return undefined;
      let progress: SubmissionView["progress"];
      if (record.kind === "assignment" && record.assessmentId && !isFinished(record)) {
        const assessment = await deps.assessments?.get(record.assessmentId);
        if (assessment) {
          progress = {
            done: assessment.progress.files_done,
            total: assessment.progress.files_total,
          };
          const next = fromAssessment(record, assessment, deps.now());
          if (next.status !== record.status) await save(next);
          record = next;
        } else if (deps.assessments) {
          record = { ...record, status: "failed", error: "the assessment is no longer kept" };
          await save(record);
        }
      }
      return { record, view: viewOf(record, progress) };
    },

    list: (owner) => deps.store.list(owner, LISTED),

    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

function isFinished(record: SubmissionRecord): boolean {
  return record.status === "done" || record.status === "failed";
}

function fromAssessment(
  record: SubmissionRecord,
  assessment: AssessmentRecord,
  now: number,
): SubmissionRecord {
  const next: SubmissionRecord = { ...record, status: assessment.status, updatedAt: now };
  if (assessment.result) {
    next.rating = assessment.result.rating;
    next.result = assessmentResult(assessment.result);
  }
  if (assessment.error) next.error = assessment.error;
  return next;
}

function viewOf(
  record: SubmissionRecord,
  progress: SubmissionView["progress"] | undefined,
): SubmissionView {
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    status: record.status,
    created_at: new Date(record.createdAt).toISOString(),
    rating: record.rating,
    ...(progress ? { progress } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.file ? { file: record.file } : {}),
    ...(record.result ? { result: record.result } : {}),
  };
}

function costOf(usage: readonly UsageLine[]): number | null {
  const known = usage.filter((u) => u.costUsd !== undefined);
  return known.length === 0 ? null : known.reduce((sum, u) => sum + (u.costUsd ?? 0), 0);
}

function fileResult(review: FileReview): NonNullable<SubmissionView["result"]> {
  return {
    rating: review.rating,
    conclusion: review.summary,
    findings: review.issues.slice(0, MAX_KEPT_FINDINGS).map(
      (issue): FindingView => ({
        line: issue.line,
        severity: SEVERITY[issue.severity],
        category: issue.category,
        message: issue.description,
        ...(issue.suggestion === undefined ? {} : { suggestion: issue.suggestion }),
      }),
    ),
    provider: review.provider,
    cost_usd: costOf(review.usage),
    notes: withOverflow(review.notes, review.issues.length),
  };
}

/** The notes, and one saying how many findings were not kept when there were too many. */
function withOverflow(notes: readonly string[], findings: number): string[] {
  return findings > MAX_KEPT_FINDINGS
    ? [
        ...notes,
        `${findings - MAX_KEPT_FINDINGS} more findings are not shown: only the first ${MAX_KEPT_FINDINGS}, by line, are kept.`,
      ]
    : [...notes];
}

function assessmentResult(result: AssessmentResult): NonNullable<SubmissionView["result"]> {
  return {
    rating: result.rating,
    conclusion: result.conclusion,
    rating_rationale: result.rating_rationale,
    findings: result.downsides.slice(0, MAX_KEPT_FINDINGS).map(
      (d): FindingView => ({
        line: d.line ?? 0,
        path: d.file,
        severity: d.severity,
        category: d.category,
        message: d.comment,
      }),
    ),
    found_files: result.found_files.map((f) => ({
      path: f.path,
      ...(f.reviewed ? {} : { note: f.reason ?? "not reviewed" }),
    })),
    provider: result.provider,
    cost_usd: costOf(result.usage),
    notes: withOverflow(result.notes, result.downsides.length),
  };
}

/** The text with each listed (1-based) line replaced, in one pass. */
export function withoutLines(text: string, lines: readonly number[]): string {
  if (lines.length === 0) return text;
  const drop = new Set(lines);
  let line = 1;
  let out = "";
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 10) continue;
    out += drop.has(line) ? REDACTED_LINE : text.slice(start, i);
    if (i < text.length) out += "\n";
    start = i + 1;
    line++;
  }
  return out;
}

// A key block's body has no pattern of its own: it ends where its END line does.
const BLOCK_START = /-----BEGIN [A-Z0-9 ]*-----/;
const BLOCK_END = /-----END [A-Z0-9 ]*-----/;

/**
 * The flagged lines, and every line of a PEM block one of them opens: the scanner flags a key on
 * its first line, and its body must not be kept either. One pass over the text.
 */
export function withBlocks(text: string, lines: readonly number[]): number[] {
  if (lines.length === 0) return [];
  const flagged = new Set(lines);
  const out = new Set(lines);
  let inBlock = false;
  let line = 1;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 10) continue;
    const content = text.slice(start, i);
    if (inBlock) {
      out.add(line);
      if (BLOCK_END.test(content)) inBlock = false;
    } else if (flagged.has(line) && BLOCK_START.test(content) && !BLOCK_END.test(content)) {
      inBlock = true;
    }
    start = i + 1;
    line++;
  }
  return [...out];
}
