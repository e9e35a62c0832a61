import type { Generated } from "kysely";

/**
 * Critic's tables as both databases hold them. Portable by construction: ids are 4-byte integers,
 * times are epoch milliseconds in 8-byte integers (PostgreSQL's `int8` is read back as a number,
 * see open-store.ts), money is a double, and there are no booleans, JSON or database clocks.
 */
export type Database = {
  reviews: ReviewsTable;
  findings: FindingsTable;
  review_threads: ReviewThreadsTable;
  learnings: LearningsTable;
  commands: CommandsTable;
  assessments: AssessmentsTable;
  submissions: SubmissionsTable;
};

/** What people submitted in the console (files and assignments); retention as the history's. */
export type SubmissionsTable = {
  /** A UUID. */
  id: string;
  /** A GitHub login (lower-cased), or `operator`. */
  owner: string;
  /** `file` or `assignment`. */
  kind: string;
  title: string;
  /** queued, running, done or failed. */
  status: string;
  rating: number | null;
  /** Epoch ms. */
  created_at: number;
  updated_at: number;
  /** The whole record, JSON, its strings redacted. */
  record: string;
};

/** Every slash-command Critic ran, however it ended; kept as long as the review history. */
export type CommandsTable = {
  id: Generated<number>;
  /** Epoch ms. */
  created_at: number;
  delivery_id: string;
  installation_id: number;
  /** `owner/repo`. */
  repository: string;
  pull_number: number;
  /** Who asked (a login); null when the webhook did not say. */
  sender: string | null;
  /** The command's name (`review`, `ask`, …, `unknown`). */
  command: string;
  /** The command as given, arguments included: redacted, bounded. */
  text: string;
  /** `answered`, `refused` or `failed`. */
  result: string;
  /** Why it was refused or failed, when it was: redacted, bounded. */
  reason: string | null;
};

/** Assessments (HTTP API): the record as JSON, with what queries and claims need beside it. */
export type AssessmentsTable = {
  /** The record's UUID. */
  id: string;
  /** queued, running, done or failed. */
  status: string;
  /** Epoch ms, from the record's ISO times. */
  created_at: number;
  updated_at: number;
  /** The AssessmentRecord, JSON, its strings redacted. */
  record: string;
  /** The process holding it (several processes share a PostgreSQL), and until when (epoch ms). */
  claim_owner: string | null;
  claim_until: number | null;
};

/** What people taught Critic: kept until forgotten (`/forget`), not subject to retention. */
export type LearningsTable = {
  id: Generated<number>;
  /** Epoch ms. */
  created_at: number;
  /** `repository` or `organisation`. */
  scope: string;
  /** The account's login, lower-cased. */
  owner: string;
  /** The repository's name, lower-cased; null for an organisation-wide learning. */
  repo: string | null;
  /** A glob the learning is limited to; null: every file. */
  path: string | null;
  /** From a reply to a Critic comment: the finding's rule, category and fingerprint. */
  rule: string | null;
  category: string | null;
  fingerprint: string | null;
  comment_path: string | null;
  /** Redacted, bounded. */
  text: string;
  created_by: string;
};

/** Critic's inline comments as their review threads showed them when last seen. */
export type ReviewThreadsTable = {
  id: Generated<number>;
  /** GraphQL node id. */
  thread_id: string;
  repository: string;
  pull_number: number;
  comment_id: number;
  path: string;
  fingerprint: string | null;
  /** open, resolved (by a person), fixed (the code changed; Critic resolved it) or dismissed. */
  state: string;
  replies: number;
  thumbs_up: number;
  thumbs_down: number;
  first_seen_at: number;
  updated_at: number;
};

export type ReviewsTable = {
  id: Generated<number>;
  /** Epoch ms. */
  created_at: number;
  delivery_id: string;
  installation_id: number;
  /** `owner/repo`. */
  repository: string;
  pull_number: number;
  head_sha: string;
  /** The webhook action, or "command" for `/review`. */
  trigger: string;
  /** Which path served: a provider id, or "static". Null when the review ended before a model ran. */
  provider: string | null;
  /** Models that spent tokens, comma-separated. */
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  duration_ms: number;
  /** How the review ended (ReviewOutcome). */
  outcome: string;
  /** N of 10; null when there was no rating. */
  rating: number | null;
  critical: number;
  warning: number;
  suggestion: number;
  bug: number;
  security: number;
  performance: number;
  maintainability: number;
  style: number;
  tests: number;
};

export type FindingsTable = {
  id: Generated<number>;
  review_id: number;
  /** Copied from the review, so retention and per-PR look-ups need no join. */
  created_at: number;
  repository: string;
  pull_number: number;
  path: string;
  line: number;
  /** Stable across pushes: see fingerprint.ts. */
  fingerprint: string;
  severity: string;
  category: string;
  /** The provider id or static rule id that produced it. */
  rule: string;
  /** `inline` (a review comment) or `summary` (in the summary only). */
  placement: string;
  /** Redacted, bounded. */
  message: string;
  /** The review comment's REST id, once known. */
  comment_id: number | null;
  /** The review thread's GraphQL node id, once known. */
  thread_id: string | null;
};
