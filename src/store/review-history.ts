import type { Kysely, Selectable } from "kysely";
import { CATEGORIES, type Category, SEVERITIES, type Severity } from "../model/types.js";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";
import { FINGERPRINT_BOUNDS, findingFingerprint } from "./fingerprint.js";
import type { Database, FindingsTable, ReviewsTable } from "./schema.js";

/** A finding as the review posted it. */
export type FindingRecord = {
  path: string;
  line: number;
  severity: Severity;
  category: Category;
  /** The provider id or static rule id that produced it. */
  source: string;
  message: string;
  /**
   * `inline`: a review comment; `summary`: in the summary only; `earlier`: carried from an earlier
   * review and listed again (`earlier-inline`: it was posted inline then). Carried findings are
   * kept so the newest review holds everything its summary lists; counts leave them out.
   */
  placement: "inline" | "summary" | "earlier" | "earlier-inline";
  /** The code line it is on, when known (a steadier fingerprint than the message). */
  code?: string | undefined;
  commentId?: number | undefined;
  threadId?: string | undefined;
};

/** One review of one head, however it ended. */
export type ReviewRecord = {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  trigger: string;
  outcome: string;
  durationMs: number;
  /** What served the review ("openai", "static checks only", …); absent when no engine ran. */
  provider?: string | undefined;
  /** Models that spent tokens. */
  models?: readonly string[] | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  costUsd?: number | undefined;
  /** N of 10. */
  rating?: number | undefined;
  findings?: readonly FindingRecord[] | undefined;
};

export type StoredFinding = Omit<FindingRecord, "commentId" | "threadId" | "code"> & {
  id: number;
  fingerprint: string;
  commentId: number | undefined;
  threadId: string | undefined;
};

export type StoredReview = Omit<ReviewRecord, "findings" | "models"> & {
  id: number;
  createdAt: number;
  models: string[];
  bySeverity: Record<Severity, number>;
  byCategory: Record<Category, number>;
  findings: StoredFinding[];
};

export type HistoryFilter = {
  owner?: string | undefined;
  repo?: string | undefined;
  pullNumber?: number | undefined;
  /** Epoch ms: reviews at or after. */
  since?: number | undefined;
  /** Only reviews that ended so (ReviewOutcome). */
  outcome?: string | undefined;
};

/**
 * What the review path remembers: every review of a pull request's head with the findings it
 * posted. The database is the record; the summary's hidden markers are the fallback.
 */
export type ReviewHistory = {
  /** Stores a review with its findings (text redacted and bounded); returns its id. */
  record(review: ReviewRecord): Promise<number>;
  /** The newest reviews first, with their findings. */
  recent(filter?: HistoryFilter & { limit?: number | undefined }): Promise<StoredReview[]>;
  count(filter?: HistoryFilter): Promise<number>;
  /**
   * The pull request's newest review that posted its result (outcome `reviewed`), with its
   * findings: where the next review starts from. Undefined when there is none (or it aged out).
   */
  lastReviewed(ref: {
    owner: string;
    repo: string;
    pullNumber: number;
  }): Promise<StoredReview | undefined>;
  /** Deletes reviews and findings created before `cutoff` (epoch ms); returns how many reviews. */
  prune(cutoff: number): Promise<number>;
};

// Bounds on what one review may store: text is cut, and a review with thousands of findings keeps
// its counts but only this many rows.
const MAX_MESSAGE = FINGERPRINT_BOUNDS.message;
const MAX_PATH = FINGERPRINT_BOUNDS.path;
const MAX_SHORT = 200;
const MAX_FINDINGS = 500;

export function createReviewHistory(
  db: Kysely<Database>,
  options: { redactor: Redactor; clock: Clock },
): ReviewHistory {
  const clean = (text: string, max: number) => {
    const redacted = options.redactor.redact(text);
    return redacted.length > max ? `${redacted.slice(0, max - 1)}…` : redacted;
  };
  const where = (filter: HistoryFilter = {}) => {
    let query = db.selectFrom("reviews");
    if (filter.owner !== undefined && filter.repo !== undefined)
      query = query.where("repository", "=", `${filter.owner}/${filter.repo}`);
    if (filter.pullNumber !== undefined) query = query.where("pull_number", "=", filter.pullNumber);
    if (filter.since !== undefined) query = query.where("created_at", ">=", filter.since);
    if (filter.outcome !== undefined) query = query.where("outcome", "=", filter.outcome);
    return query;
  };

  const history: ReviewHistory = {
    async record(review) {
      const createdAt = options.clock.now();
      const findings = review.findings ?? [];
      const repository = clean(`${review.owner}/${review.repo}`, MAX_SHORT);
      // Counted once, by the review that found them: carried findings are not counted again.
      const found = findings.filter((f) => !isCarried(f.placement));
      const severity = tally(SEVERITIES, found, (f) => f.severity);
      const category = tally(CATEGORIES, found, (f) => f.category);
      return db.transaction().execute(async (trx) => {
        const { id } = await trx
          .insertInto("reviews")
          .values({
            created_at: createdAt,
            delivery_id: clean(review.deliveryId, MAX_SHORT),
            installation_id: review.installationId,
            repository,
            pull_number: review.pullNumber,
            head_sha: clean(review.headSha, MAX_SHORT),
            trigger: clean(review.trigger, MAX_SHORT),
            provider: review.provider === undefined ? null : clean(review.provider, MAX_SHORT),
            model: review.models?.length ? clean(review.models.join(","), MAX_SHORT) : null,
            input_tokens: review.inputTokens ?? 0,
            output_tokens: review.outputTokens ?? 0,
            cost_usd: review.costUsd ?? null,
            duration_ms: Math.max(0, Math.round(review.durationMs)),
            outcome: clean(review.outcome, MAX_SHORT),
            rating: review.rating ?? null,
            ...severity,
            ...category,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const rows = findings.slice(0, MAX_FINDINGS).map((f) => {
          const path = clean(f.path, MAX_PATH);
          const message = clean(f.message, MAX_MESSAGE);
          return {
            review_id: id,
            created_at: createdAt,
            repository,
            pull_number: review.pullNumber,
            path,
            line: f.line,
            fingerprint: findingFingerprint(f, (text) => options.redactor.redact(text)),
            severity: f.severity,
            category: f.category,
            rule: clean(f.source, MAX_SHORT),
            placement: f.placement,
            message,
            comment_id: f.commentId ?? null,
            thread_id: f.threadId === undefined ? null : clean(f.threadId, MAX_SHORT),
          };
        });
        // Batched: SQLite takes at most 32,766 parameters per statement, 15 a row here.
        for (let i = 0; i < rows.length; i += 100)
          await trx
            .insertInto("findings")
            .values(rows.slice(i, i + 100))
            .execute();
        return id;
      });
    },

    async recent(filter = {}) {
      const reviews = await where(filter)
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(filter.limit ?? 20)
        .execute();
      if (reviews.length === 0) return [];
      const findings = await db
        .selectFrom("findings")
        .selectAll()
        .where(
          "review_id",
          "in",
          reviews.map((r) => r.id),
        )
        .orderBy("id")
        .execute();
      return reviews.map((r) => toStored(r, findings));
    },

    async count(filter) {
      const row = await where(filter)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async lastReviewed(ref) {
      const [review] = await history.recent({ ...ref, outcome: "reviewed", limit: 1 });
      return review;
    },

    async prune(cutoff) {
      return db.transaction().execute(async (trx) => {
        // Findings first: SQLite enforces the foreign key only on connections that turn it on.
        await trx.deleteFrom("findings").where("created_at", "<", cutoff).execute();
        const result = await trx
          .deleteFrom("reviews")
          .where("created_at", "<", cutoff)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
  return history;
}

function tally<K extends string>(
  keys: readonly K[],
  findings: readonly FindingRecord[],
  of: (f: FindingRecord) => string,
): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const f of findings) {
    const key = of(f) as K;
    if (key in counts) counts[key] += 1;
  }
  return counts;
}

function toStored(
  r: Selectable<ReviewsTable>,
  findings: ReadonlyArray<Selectable<FindingsTable>>,
): StoredReview {
  const [owner = "", repo = ""] = splitRepository(r.repository);
  return {
    id: r.id,
    createdAt: r.created_at,
    deliveryId: r.delivery_id,
    installationId: r.installation_id,
    owner,
    repo,
    pullNumber: r.pull_number,
    headSha: r.head_sha,
    trigger: r.trigger,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    provider: r.provider ?? undefined,
    models: r.model ? r.model.split(",") : [],
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd ?? undefined,
    rating: r.rating ?? undefined,
    bySeverity: { critical: r.critical, warning: r.warning, suggestion: r.suggestion },
    byCategory: {
      bug: r.bug,
      security: r.security,
      performance: r.performance,
      maintainability: r.maintainability,
      style: r.style,
      tests: r.tests,
    },
    findings: findings
      .filter((f) => f.review_id === r.id)
      .map((f) => ({
        id: f.id,
        path: f.path,
        line: f.line,
        severity: f.severity as Severity,
        category: f.category as Category,
        source: f.rule,
        message: f.message,
        placement: placementOf(f.placement),
        fingerprint: f.fingerprint,
        commentId: f.comment_id ?? undefined,
        threadId: f.thread_id ?? undefined,
      })),
  };
}

function splitRepository(repository: string): [string, string] {
  const slash = repository.indexOf("/");
  return [repository.slice(0, slash), repository.slice(slash + 1)];
}

const PLACEMENTS: ReadonlySet<string> = new Set(["inline", "summary", "earlier", "earlier-inline"]);

function placementOf(value: string): FindingRecord["placement"] {
  return PLACEMENTS.has(value) ? (value as FindingRecord["placement"]) : "summary";
}

function isCarried(placement: FindingRecord["placement"]): boolean {
  return placement === "earlier" || placement === "earlier-inline";
}
