import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from "kysely";

export type StoreDialect = "sqlite" | "postgres";

/**
 * Critic's migrations, in order, as code: the build output carries them, nothing is read from
 * disk. A migration, once released, never changes; a change to the schema is a new entry.
 */
export function migrationsFor(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001_review_history": { up: (db) => reviewHistory(db, dialect) },
    "0002_learnings": { up: (db) => learnings(db, dialect) },
    "0003_review_threads": { up: (db) => reviewThreads(db, dialect) },
    "0004_command_history": { up: (db) => commandHistory(db, dialect) },
    "0005_assessments": { up: (db) => assessments(db) },
    "0006_submissions": { up: (db) => submissions(db) },
  };
  return { getMigrations: async () => migrations };
}

/** The one column that differs: an auto-numbered 4-byte id. */
function identity(c: ColumnDefinitionBuilder, dialect: StoreDialect): ColumnDefinitionBuilder {
  return dialect === "sqlite"
    ? c.primaryKey().autoIncrement()
    : c.primaryKey().generatedByDefaultAsIdentity();
}

async function reviewHistory(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  let reviews = db.schema
    .createTable("reviews")
    .addColumn("id", "integer", (c) => identity(c, dialect))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull())
    .addColumn("installation_id", "bigint", (c) => c.notNull())
    .addColumn("repository", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("head_sha", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("provider", "text")
    .addColumn("model", "text")
    .addColumn("input_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cost_usd", "double precision")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("rating", "double precision");
  for (const count of [
    "critical",
    "warning",
    "suggestion",
    "bug",
    "security",
    "performance",
    "maintainability",
    "style",
    "tests",
  ])
    reviews = reviews.addColumn(count, "integer", (c) => c.notNull().defaultTo(0));
  await reviews.execute();
  await db.schema
    .createIndex("reviews_pull")
    .on("reviews")
    .columns(["repository", "pull_number", "created_at"])
    .execute();
  await db.schema.createIndex("reviews_created").on("reviews").column("created_at").execute();

  await db.schema
    .createTable("findings")
    .addColumn("id", "integer", (c) => identity(c, dialect))
    .addColumn("review_id", "integer", (c) =>
      c.notNull().references("reviews.id").onDelete("cascade"),
    )
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("repository", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("placement", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("comment_id", "bigint")
    .addColumn("thread_id", "text")
    .execute();
  await db.schema.createIndex("findings_review").on("findings").column("review_id").execute();
  await db.schema
    .createIndex("findings_pull_fingerprint")
    .on("findings")
    .columns(["repository", "pull_number", "fingerprint"])
    .execute();
  await db.schema.createIndex("findings_created").on("findings").column("created_at").execute();
}

async function reviewThreads(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("review_threads")
    .addColumn("id", "integer", (c) => identity(c, dialect))
    .addColumn("thread_id", "text", (c) => c.notNull().unique())
    .addColumn("repository", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("comment_id", "bigint", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("replies", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("thumbs_up", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("thumbs_down", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("first_seen_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("review_threads_repository")
    .on("review_threads")
    .columns(["repository", "first_seen_at"])
    .execute();
}

async function learnings(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("learnings")
    .addColumn("id", "integer", (c) => identity(c, dialect))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("repo", "text")
    .addColumn("path", "text")
    .addColumn("rule", "text")
    .addColumn("category", "text")
    .addColumn("fingerprint", "text")
    .addColumn("comment_path", "text")
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("learnings_owner_repo")
    .on("learnings")
    .columns(["owner", "repo"])
    .execute();
}

async function commandHistory(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable("commands")
    .addColumn("id", "integer", (c) => identity(c, dialect))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull())
    .addColumn("installation_id", "bigint", (c) => c.notNull())
    .addColumn("repository", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("sender", "text")
    .addColumn("command", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .execute();
  await db.schema.createIndex("commands_created").on("commands").column("created_at").execute();
  await db.schema
    .createIndex("commands_repository")
    .on("commands")
    .columns(["repository", "created_at"])
    .execute();
}

async function assessments(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("assessments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("record", "text", (c) => c.notNull())
    .addColumn("claim_owner", "text")
    .addColumn("claim_until", "bigint")
    .execute();
  await db.schema
    .createIndex("assessments_status")
    .on("assessments")
    .columns(["status", "created_at"])
    .execute();
}

async function submissions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("submissions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("rating", "double precision")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("record", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("submissions_owner")
    .on("submissions")
    .columns(["owner", "created_at"])
    .execute();
}
