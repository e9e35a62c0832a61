import { type Kysely, sql } from "kysely";
import type { Database } from "../store/schema.js";
import type { ThreadOutcomes } from "../store/thread-outcomes.js";
import type { DashboardView, ReviewRow } from "./console-api-types.js";

const DAY_MS = 86_400_000;
// The dashboard's window: a month of days, the ten costliest repositories.
const DAYS = 30;
const TOP = 10;
// SQL's IN list has limits of its own; a person who sees more repositories sees the newest reviews of these.
const MAX_REPOSITORIES = 1_000;

type History = Omit<DashboardView, "history" | "queues" | "providers">;

/** Pull-request reviews, newest first: all of them, or those in `repositories` (lower-cased). */
export async function reviewRows(
  db: Kysely<Database>,
  filter: { repositories?: readonly string[]; limit: number },
): Promise<ReviewRow[]> {
  let query = db.selectFrom("reviews").selectAll();
  if (filter.repositories) {
    const repositories = filter.repositories.slice(0, MAX_REPOSITORIES);
    if (repositories.length === 0) return [];
    query = query.where((eb) => eb(eb.fn("lower", ["repository"]), "in", repositories));
  }
  const rows = await query
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({
    repository: r.repository,
    pull_number: r.pull_number,
    head_sha: r.head_sha,
    created_at: new Date(Number(r.created_at)).toISOString(),
    rating: r.rating === null ? null : Number(r.rating),
    duration_ms: Number(r.duration_ms),
    cost_usd: r.cost_usd === null ? null : Number(r.cost_usd),
    provider: r.provider,
    outcome: r.outcome,
    critical: Number(r.critical),
    warning: Number(r.warning),
    suggestion: Number(r.suggestion),
  }));
}

/**
 * What the operator dashboard draws from the history: the last 30 days per day (UTC), the
 * costliest repositories and providers, and the share of comments acted on. Aggregated in SQL,
 * so a busy month costs a few rows, not every review.
 */
export async function dashboardHistory(
  db: Kysely<Database>,
  threads: Pick<ThreadOutcomes, "actedOnByRepository"> | undefined,
  now: number,
): Promise<History> {
  const since = (Math.floor(now / DAY_MS) - (DAYS - 1)) * DAY_MS;
  const day = sql<number>`(created_at / ${sql.lit(DAY_MS)})`;
  const recentReviews = db.selectFrom("reviews").where("created_at", ">=", since);
  const [byDay, byRepository, byProvider, recent, actedOn] = await Promise.all([
    recentReviews
      .select((eb) => [
        day.as("day"),
        eb.fn.sum<number>(eb.fn.coalesce("cost_usd", sql.lit(0))).as("cost"),
        eb.fn.sum<number>(sql`input_tokens + output_tokens`).as("tokens"),
        eb.fn.countAll<number>().as("reviews"),
        eb.fn.avg<number>("rating").as("rating"),
        eb.fn.count<number>("rating").as("rated"),
        eb.fn.sum<number>("bug").as("bug"),
        eb.fn.sum<number>("security").as("security"),
        eb.fn.sum<number>("performance").as("performance"),
        eb.fn.sum<number>("maintainability").as("maintainability"),
        eb.fn.sum<number>("style").as("style"),
        eb.fn.sum<number>("tests").as("tests"),
      ])
      .groupBy(day)
      .execute(),
    recentReviews
      .select((eb) => [
        "repository",
        eb.fn.sum<number>(eb.fn.coalesce("cost_usd", sql.lit(0))).as("cost"),
        eb.fn.countAll<number>().as("reviews"),
      ])
      .groupBy("repository")
      .orderBy("cost", "desc")
      .orderBy("reviews", "desc")
      .limit(TOP)
      .execute(),
    recentReviews
      .select((eb) => [
        eb.fn.coalesce("provider", sql.lit("none")).as("provider"),
        eb.fn.sum<number>(eb.fn.coalesce("cost_usd", sql.lit(0))).as("cost"),
        eb.fn.countAll<number>().as("reviews"),
      ])
      .groupBy("provider")
      .orderBy("cost", "desc")
      .limit(TOP)
      .execute(),
    reviewRows(db, { limit: 20 }),
    threads ? threads.actedOnByRepository(since) : Promise.resolve(new Map()),
  ]);
  const days = new Map(byDay.map((row) => [Number(row.day), row]));
  const series = Array.from({ length: DAYS }, (_, i) => Math.floor(since / DAY_MS) + i);
  const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
  return {
    recent,
    spend_by_day: series.map((n) => ({
      day: isoDay(n),
      cost_usd: Number(days.get(n)?.cost ?? 0),
      tokens: Number(days.get(n)?.tokens ?? 0),
      reviews: Number(days.get(n)?.reviews ?? 0),
    })),
    spend_by_repository: byRepository.map((r) => ({
      repository: r.repository,
      cost_usd: Number(r.cost ?? 0),
      reviews: Number(r.reviews),
    })),
    spend_by_provider: byProvider.map((r) => ({
      provider: String(r.provider),
      cost_usd: Number(r.cost ?? 0),
      reviews: Number(r.reviews),
    })),
    ratings_by_day: series.map((n) => {
      const row = days.get(n);
      return {
        day: isoDay(n),
        average: row && Number(row.rated) > 0 ? Math.round(Number(row.rating) * 10) / 10 : null,
        reviews: Number(row?.rated ?? 0),
      };
    }),
    findings_by_day: series.map((n) => {
      const row = days.get(n);
      return {
        day: isoDay(n),
        bug: Number(row?.bug ?? 0),
        security: Number(row?.security ?? 0),
        performance: Number(row?.performance ?? 0),
        maintainability: Number(row?.maintainability ?? 0),
        style: Number(row?.style ?? 0),
        tests: Number(row?.tests ?? 0),
      };
    }),
    acted_on: [...(actedOn as Map<string, { actedOn: number; total: number }>)]
      .filter(([, counts]) => counts.total > 0)
      .map(([repository, counts]) => ({
        repository,
        acted: counts.actedOn,
        total: counts.total,
        share: counts.actedOn / counts.total,
      }))
      .sort((a, b) => b.total - a.total)
      .slice(0, TOP),
  };
}
