import type { Kysely, Selectable } from "kysely";
import type { Logger } from "pino";
import type { Learning, LearningScope, NewLearning } from "../model/learning.js";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";
import { bound } from "./fingerprint.js";
import type { Database, LearningsTable } from "./schema.js";

/**
 * What people taught Critic, per repository and per organisation. Kept until forgotten: a
 * learning is a decision someone made, not history, so retention does not delete it.
 */
export type Learnings = {
  /** Stores a learning (text redacted and bounded); undefined when its scope is full. */
  add(learning: NewLearning): Promise<Learning | undefined>;
  /** A repository's learnings and its organisation's, oldest first: one read per review. */
  list(owner: string, repo: string): Promise<Learning[]>;
  get(id: number): Promise<Learning | undefined>;
  /** Deletes one; false when there was none with that id. */
  remove(id: number): Promise<boolean>;
};

/** Bounds: a learning is a sentence or two, and a scope holds a reviewable number of them. */
export const LEARNING_LIMITS = { text: 500, path: 200, short: 200, perScope: 200 } as const;

export function createLearnings(
  db: Kysely<Database>,
  options: { redactor: Redactor; clock: Pick<Clock, "now"> },
): Learnings {
  const clean = (text: string, max: number) => bound(options.redactor.redact(text), max);
  const optional = (text: string | undefined, max: number) =>
    text === undefined ? null : clean(text, max);
  return {
    async add(learning) {
      const owner = learning.owner.toLowerCase();
      const repo = learning.scope === "repository" ? (learning.repo ?? "").toLowerCase() : null;
      let count = db
        .selectFrom("learnings")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("owner", "=", owner);
      count = repo === null ? count.where("repo", "is", null) : count.where("repo", "=", repo);
      const { n } = await count.executeTakeFirstOrThrow();
      if (Number(n) >= LEARNING_LIMITS.perScope) return undefined;
      const row = await db
        .insertInto("learnings")
        .values({
          created_at: options.clock.now(),
          scope: learning.scope,
          owner: clean(owner, LEARNING_LIMITS.short),
          repo: repo === null ? null : clean(repo, LEARNING_LIMITS.short),
          path: optional(learning.path, LEARNING_LIMITS.path),
          rule: optional(learning.rule, LEARNING_LIMITS.short),
          category: optional(learning.category, LEARNING_LIMITS.short),
          fingerprint: optional(learning.fingerprint, LEARNING_LIMITS.short),
          comment_path: optional(learning.commentPath, LEARNING_LIMITS.path),
          text: clean(learning.text, LEARNING_LIMITS.text),
          created_by: clean(learning.createdBy, LEARNING_LIMITS.short),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLearning(row);
    },

    async list(owner, repo) {
      const rows = await db
        .selectFrom("learnings")
        .selectAll()
        .where("owner", "=", owner.toLowerCase())
        .where((eb) => eb.or([eb("repo", "=", repo.toLowerCase()), eb("repo", "is", null)]))
        .orderBy("id")
        .execute();
      return rows.map(toLearning);
    },

    async get(id) {
      const row = await db
        .selectFrom("learnings")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      return row && toLearning(row);
    },

    async remove(id) {
      const result = await db.deleteFrom("learnings").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

/**
 * The learnings a review applies, in one read; none without a database, and none (with a
 * warning) when it fails: a database that is down costs the learnings, never the review.
 */
export async function loadLearnings(
  learnings: Learnings | undefined,
  repo: { owner: string; repo: string },
  log: Pick<Logger, "warn">,
): Promise<Learning[]> {
  if (!learnings) return [];
  try {
    return await learnings.list(repo.owner, repo.repo);
  } catch (error) {
    log.warn({ err: error }, "could not read the repository's learnings; reviewing without them");
    return [];
  }
}

function toLearning(row: Selectable<LearningsTable>): Learning {
  return {
    id: row.id,
    scope: (row.scope === "organisation" ? "organisation" : "repository") satisfies LearningScope,
    owner: row.owner,
    repo: row.repo ?? undefined,
    path: row.path ?? undefined,
    rule: row.rule ?? undefined,
    category: row.category ?? undefined,
    fingerprint: row.fingerprint ?? undefined,
    commentPath: row.comment_path ?? undefined,
    text: row.text,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
