import type { Kysely } from "kysely";
import {
  type AssessmentRecord,
  type AssessmentStore,
  isAssessmentId,
  readAssessmentRecord,
} from "../assess/assessment-store.js";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";
import type { Database } from "./schema.js";

// A claim taken before its record is stored (the runner claims, then puts) holds a row of this
// status: no reader sees it, and the record's first put keeps the claim.
const CLAIMED = "claimed";
const UNFINISHED = ["queued", "running"];
const FINISHED = ["done", "failed"];

/**
 * Assessment records in the `assessments` table: the same interface as the file and Redis stores.
 * Strings are redacted on the way in; a record is not cut (the API returns it whole, and its
 * request is bounded at 64 KB by the API). With `shared` (several processes on one PostgreSQL),
 * a job's claim is a row lock of sorts: an atomic upsert that takes a free or lapsed claim.
 */
export function createAssessmentTable(
  db: Kysely<Database>,
  options: {
    redactor: Redactor;
    clock: Pick<Clock, "now">;
    shared: boolean;
  },
): AssessmentStore {
  const serialize = (record: AssessmentRecord) =>
    JSON.stringify(record, (_key, value: unknown) =>
      typeof value === "string" ? options.redactor.redact(value) : value,
    );
  const msOf = (iso: string) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? ms : options.clock.now();
  };
  const rowsOf = async (statuses: string[]) => {
    const rows = await db
      .selectFrom("assessments")
      .select("record")
      .where("status", "in", statuses)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((r) => readAssessmentRecord(r.record));
  };
  return {
    async put(record) {
      const row = {
        status: record.status,
        created_at: msOf(record.createdAt),
        updated_at: msOf(record.updatedAt),
        record: serialize(record),
      };
      await db
        .insertInto("assessments")
        .values({ id: record.id, ...row })
        .onConflict((oc) => oc.column("id").doUpdateSet(row))
        .execute();
    },

    async get(id) {
      if (!isAssessmentId(id)) return undefined;
      const row = await db
        .selectFrom("assessments")
        .select(["status", "record"])
        .where("id", "=", id)
        .executeTakeFirst();
      return row && row.status !== CLAIMED ? readAssessmentRecord(row.record) : undefined;
    },

    async unfinished() {
      return (await rowsOf(UNFINISHED)).filter(
        (r): r is AssessmentRecord => r?.status === "queued" || r?.status === "running",
      );
    },

    async claim(id, owner, ttlMs) {
      // One process owns every job (its own file, or the only server on a PostgreSQL): a claim a
      // crash left behind must not hold a job up after the restart.
      if (!options.shared) return true;
      const now = options.clock.now();
      const claim = { claim_owner: owner, claim_until: now + ttlMs };
      const taken = await db
        .insertInto("assessments")
        .values({ id, status: CLAIMED, created_at: now, updated_at: now, record: "", ...claim })
        .onConflict((oc) =>
          oc
            .column("id")
            .doUpdateSet(claim)
            .where((eb) =>
              eb.or([
                eb("assessments.claim_owner", "is", null),
                eb("assessments.claim_owner", "=", owner),
                eb("assessments.claim_until", "<", now),
              ]),
            ),
        )
        .returning("id")
        .executeTakeFirst();
      return taken !== undefined;
    },

    async release(id, owner) {
      if (!options.shared) return;
      await db
        .updateTable("assessments")
        .set({ claim_owner: null, claim_until: null })
        .where("id", "=", id)
        .where("claim_owner", "=", owner)
        .execute();
    },

    async prune(before) {
      const result = await db
        .deleteFrom("assessments")
        .where("status", "in", [...FINISHED, CLAIMED])
        .where("updated_at", "<", before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
