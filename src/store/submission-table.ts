import type { Kysely } from "kysely";
import {
  type SubmissionRecord,
  type SubmissionStore,
  summaryOf,
} from "../console/submission-store.js";
import type { Redactor } from "../security/redactor.js";
import type { Database } from "./schema.js";

/**
 * Console submissions in the `submissions` table. Strings are redacted on the way in (the
 * operator's secrets; the console redacts secrets found in a file before it is stored).
 */
export function createSubmissionTable(
  db: Kysely<Database>,
  options: { redactor: Redactor },
): SubmissionStore {
  const serialize = (record: SubmissionRecord) =>
    JSON.stringify(record, (_key, value: unknown) =>
      typeof value === "string" ? options.redactor.redact(value) : value,
    );
  return {
    async put(record) {
      const row = {
        owner: record.owner,
        kind: record.kind,
        title: options.redactor.redact(record.title),
        status: record.status,
        rating: record.rating,
        created_at: record.createdAt,
        updated_at: record.updatedAt,
        record: serialize(record),
      };
      await db
        .insertInto("submissions")
        .values({ id: record.id, ...row })
        .onConflict((oc) => oc.column("id").doUpdateSet(row))
        .execute();
    },
    async get(id) {
      const row = await db
        .selectFrom("submissions")
        .select("record")
        .where("id", "=", id)
        .executeTakeFirst();
      if (!row) return undefined;
      try {
        return JSON.parse(row.record) as SubmissionRecord;
      } catch {
        return undefined;
      }
    },
    async list(owner, limit) {
      const rows = await db
        .selectFrom("submissions")
        .select(["id", "owner", "kind", "title", "status", "rating", "created_at", "updated_at"])
        .where("owner", "=", owner)
        .orderBy("created_at", "desc")
        .limit(limit)
        .execute();
      return rows.map((row) =>
        summaryOf({
          id: row.id,
          owner: row.owner,
          kind: row.kind === "assignment" ? "assignment" : "file",
          title: row.title,
          status: row.status as SubmissionRecord["status"],
          rating: row.rating === null ? null : Number(row.rating),
          createdAt: Number(row.created_at),
          updatedAt: Number(row.updated_at),
        }),
      );
    },
    async prune(before) {
      const result = await db
        .deleteFrom("submissions")
        .where("created_at", "<", before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
