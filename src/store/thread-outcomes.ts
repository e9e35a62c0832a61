import type { Kysely } from "kysely";
import type { CriticThread } from "../github/review-threads.js";
import type { Clock } from "../resilience/clock.js";
import type { Database } from "./schema.js";

export type ThreadState = "open" | "resolved" | "fixed" | "dismissed";

/** Acted on: fixed or resolved, of all of Critic's inline comments seen. */
export type ActedOn = { actedOn: number; total: number };

/**
 * What became of Critic's inline comments, per review thread: seen at each later review of the
 * pull request, when it is closed, and when a person resolves a thread.
 */
export type ThreadOutcomes = {
  /** Notes the threads as they are now (a thread Critic just resolved is passed as fixed). */
  note(repository: string, pullNumber: number, threads: readonly CriticThread[]): Promise<void>;
  /** A person resolved (or reopened) a thread; ignored for threads never seen. */
  setResolved(threadId: string, resolved: boolean): Promise<void>;
  /** The share acted on in a repository (or in each) among comments first seen since `since`. */
  actedOn(repository: string, since: number): Promise<ActedOn>;
  actedOnByRepository(since: number): Promise<Map<string, ActedOn>>;
  /** Deletes what was first seen before `cutoff` (retention). */
  prune(cutoff: number): Promise<number>;
};

export function stateOf(thread: CriticThread): ThreadState {
  if (thread.resolvedBy === "person") return "resolved";
  if (thread.resolvedBy === "critic") return "fixed";
  if (thread.dismissed) return "dismissed";
  return "open";
}

const ACTED_ON = ["resolved", "fixed"];

export function createThreadOutcomes(
  db: Kysely<Database>,
  options: { clock: Pick<Clock, "now"> },
): ThreadOutcomes {
  return {
    async note(repository, pullNumber, threads) {
      const now = options.clock.now();
      for (const t of threads) {
        const values = {
          state: stateOf(t),
          replies: t.replies,
          thumbs_up: t.thumbsUp,
          thumbs_down: t.thumbsDown,
          updated_at: now,
        };
        await db
          .insertInto("review_threads")
          .values({
            thread_id: t.id.slice(0, 200),
            repository,
            pull_number: pullNumber,
            comment_id: t.commentId,
            path: t.path.slice(0, 1_000),
            fingerprint: t.fingerprint ?? null,
            first_seen_at: now,
            ...values,
          })
          .onConflict((oc) => oc.column("thread_id").doUpdateSet(values))
          .execute();
      }
    },
    async setResolved(threadId, resolved) {
      await db
        .updateTable("review_threads")
        .set({ state: resolved ? "resolved" : "open", updated_at: options.clock.now() })
        .where("thread_id", "=", threadId)
        .execute();
    },
    async actedOn(repository, since) {
      return (await counts(db, since, repository)).get(repository) ?? { actedOn: 0, total: 0 };
    },
    actedOnByRepository: (since) => counts(db, since, undefined),
    async prune(cutoff) {
      const result = await db
        .deleteFrom("review_threads")
        .where("first_seen_at", "<", cutoff)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

async function counts(
  db: Kysely<Database>,
  since: number,
  repository: string | undefined,
): Promise<Map<string, ActedOn>> {
  let query = db
    .selectFrom("review_threads")
    .select((eb) => [
      "repository",
      eb.fn.countAll<number>().as("total"),
      eb.fn.sum<number>(eb.case().when("state", "in", ACTED_ON).then(1).else(0).end()).as("acted"),
    ])
    .where("first_seen_at", ">=", since)
    .groupBy("repository");
  if (repository !== undefined) query = query.where("repository", "=", repository);
  const rows = await query.execute();
  return new Map(
    rows.map((r) => [r.repository, { actedOn: Number(r.acted ?? 0), total: Number(r.total) }]),
  );
}
