/**
 * What the console's JSON endpoints (`/console/api/*`) answer: shared by the server and the page's
 * script, so neither drifts from the other. Types only: the page's bundle imports nothing else from
 * the server. Times are ISO strings; money is US dollars.
 */

/** `GET /console/api/session`: who is signed in, and what they may do. */
export type SessionView = {
  /** A GitHub login, or `operator` for a sign-in with an operator API key. */
  login: string;
  kind: "github" | "operator";
  /** Sees the operator dashboard and every review. */
  operator: boolean;
  /** Sent back as `x-csrf-token` on every POST. */
  csrf: string;
  /** May submit files and assignments; when false, `reason` says why. */
  canSubmit: boolean;
  reason?: string;
  /** Whether assignment reviews can run here (they read repositories through the GitHub App). */
  assignments: boolean;
  /** Languages a single file may be reviewed in (lower-case ids, e.g. `python`). */
  languages: string[];
  /** Repositories whose pull-request reviews this person may see (`owner/repo`); empty for operators, who see all. */
  repositories: string[];
};

export type SubmissionKind = "file" | "assignment";
export type SubmissionStatus = "queued" | "running" | "done" | "failed";

/** One of the person's own submissions, as `GET /console/api/submissions` lists them. */
export type SubmissionSummary = {
  id: string;
  kind: SubmissionKind;
  /** The file's name, or the repository's URL. */
  title: string;
  status: SubmissionStatus;
  created_at: string;
  rating: number | null;
};

export type FindingView = {
  /** 1-based line in the submitted file (or in `path` for an assignment); 0: the whole file. */
  line: number;
  /** The repository file an assignment finding is in; absent for a single file. */
  path?: string;
  severity: "critical" | "warning" | "suggestion";
  category: string;
  message: string;
  suggestion?: string;
};

/** `GET /console/api/submissions/:id`. */
export type SubmissionView = SubmissionSummary & {
  /** Assignments only: files reviewed so far. */
  progress?: { done: number; total: number };
  error?: string;
  /** A single file: what was submitted (secrets in it redacted). */
  file?: { filename: string; language: string; content: string };
  /** Present when done. */
  result?: {
    rating: number;
    /** The summary of a file, or the conclusion of an assignment. */
    conclusion: string;
    findings: FindingView[];
    provider: string;
    cost_usd: number | null;
    notes: string[];
    /** Assignments: what was reviewed, and the rating's reasons. */
    found_files?: { path: string; note?: string }[];
    rating_rationale?: string;
  };
};

/** A pull-request review from the history. */
export type ReviewRow = {
  repository: string;
  pull_number: number;
  head_sha: string;
  created_at: string;
  rating: number | null;
  duration_ms: number;
  cost_usd: number | null;
  provider: string | null;
  outcome: string;
  critical: number;
  warning: number;
  suggestion: number;
};

/** `GET /console/api/reviews`: pull-request reviews in repositories the person can see, newest first. */
export type ReviewsView = { reviews: ReviewRow[] };

export type QueueCounts = { pending: number; running: number };

/** `GET /console/api/dashboard` (operators only). Series are oldest day first; days are `YYYY-MM-DD` (UTC). */
export type DashboardView = {
  /** Whether Critic keeps a history here (without one, only queues and providers are shown). */
  history: boolean;
  queues: { reviews: QueueCounts; uploads: QueueCounts; assessments: QueueCounts };
  /** Each model provider and its circuit breaker's state. */
  providers: { id: string; state: "closed" | "open" | "half-open" }[];
  recent: ReviewRow[];
  spend_by_day: { day: string; cost_usd: number; tokens: number; reviews: number }[];
  spend_by_repository: { repository: string; cost_usd: number; reviews: number }[];
  spend_by_provider: { provider: string; cost_usd: number; reviews: number }[];
  ratings_by_day: { day: string; average: number | null; reviews: number }[];
  findings_by_day: {
    day: string;
    bug: number;
    security: number;
    performance: number;
    maintainability: number;
    style: number;
    tests: number;
  }[];
  /** Share of Critic's inline comments people acted on (resolved, fixed or replied to), per repository. */
  acted_on: { repository: string; acted: number; total: number; share: number }[];
};

/** Every error: the status code says what kind, `message` is for people. */
export type ErrorView = { error: string; message: string };
