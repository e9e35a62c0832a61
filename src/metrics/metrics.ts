import { performance } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { UsageLine } from "../model/review-result.js";
import type { ActedOn, ThreadOutcomes } from "../store/thread-outcomes.js";

const BREAKER_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;

/** Critic's metrics, in a registry of its own (one per app instance, so tests never collide). */
export type Metrics = ReturnType<typeof createMetrics>;

/** The window of the acted-on share: the last 30 days. */
export const ACTED_ON_WINDOW_MS = 30 * 86_400_000;

/** The acted-on shares /metrics reads from the comments' outcomes, when there is a database. */
export function actedOnOf(
  threads: Pick<ThreadOutcomes, "actedOnByRepository"> | undefined,
): (() => Promise<Map<string, ActedOn>>) | undefined {
  return threads ? () => threads.actedOnByRepository(Date.now() - ACTED_ON_WINDOW_MS) : undefined;
}

export function createMetrics(sources: {
  queue: () => { pending: number; running: number } | Promise<{ pending: number; running: number }>;
  breakers: () => Record<string, keyof typeof BREAKER_VALUE>;
  /** The daily model budget per installation (0: no cap), shown beside the spend. */
  budget?: { tokens: number; usd: number } | undefined;
  /** Per repository, Critic's inline comments of the last 30 days and those acted on. */
  actedOn?: (() => Promise<Map<string, { actedOn: number; total: number }>>) | undefined;
}) {
  const registry = new Registry();
  const webhooks = new Counter({
    name: "critic_webhooks_received_total",
    help: "Webhook deliveries received, by event.",
    labelNames: ["event"],
    registers: [registry],
  });
  const reviews = new Counter({
    name: "critic_reviews_total",
    help: "Reviews by outcome: reviewed, skipped, superseded, failed.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "critic_review_duration_seconds",
    help: "Time from a review job's start to its end.",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [registry],
  });
  const llmRequests = new Counter({
    name: "critic_llm_requests_total",
    help: "Model requests that answered, by provider (cache hits counted apart).",
    labelNames: ["provider", "cached"],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "critic_llm_tokens_total",
    help: "Model tokens, by provider and direction.",
    labelNames: ["provider", "direction"],
    registers: [registry],
  });
  const cost = new Counter({
    name: "critic_llm_cost_usd_total",
    help: "Estimated model cost in US dollars, by provider.",
    labelNames: ["provider"],
    registers: [registry],
  });
  const spendUsd = new Gauge({
    name: "critic_installation_spend_usd",
    help: "Estimated model dollars an installation spent today (UTC), against critic_installation_budget_usd.",
    labelNames: ["installation"],
    registers: [registry],
  });
  const spendTokens = new Gauge({
    name: "critic_installation_spend_tokens",
    help: "Model tokens an installation spent today (UTC), against critic_installation_budget_tokens.",
    labelNames: ["installation"],
    registers: [registry],
  });
  for (const [name, value, unit] of [
    ["critic_installation_budget_usd", sources.budget?.usd ?? 0, "Estimated model dollars"],
    ["critic_installation_budget_tokens", sources.budget?.tokens ?? 0, "Model tokens"],
  ] as const) {
    new Gauge({
      name,
      help: `${unit} one installation may spend per UTC day (CRITIC_DAILY_BUDGET_*); 0 is no cap.`,
      registers: [registry],
    }).set(value);
  }
  const rateLimit = new Gauge({
    name: "critic_github_rate_limit_remaining",
    help: "GitHub's x-ratelimit-remaining, by installation.",
    labelNames: ["installation"],
    registers: [registry],
  });
  new Gauge({
    name: "critic_queue_jobs",
    help: "Review jobs waiting and running.",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const { pending, running } = await sources.queue();
      this.set({ state: "waiting" }, pending);
      this.set({ state: "running" }, running);
    },
  });
  new Gauge({
    name: "critic_provider_breaker_state",
    help: "Circuit breaker per provider: 0 closed, 1 half-open, 2 open.",
    labelNames: ["provider"],
    registers: [registry],
    collect() {
      for (const [provider, state] of Object.entries(sources.breakers()))
        this.set({ provider }, BREAKER_VALUE[state]);
    },
  });

  if (sources.actedOn) {
    const actedOn = sources.actedOn;
    new Gauge({
      name: "critic_comments_acted_on_ratio",
      help: "Per repository, the share of Critic's inline comments of the last 30 days that were acted on: resolved by a person, or fixed by a later push.",
      labelNames: ["repository"],
      registers: [registry],
      async collect() {
        this.reset();
        // A database that does not answer leaves the gauge empty rather than failing /metrics.
        const shares = await actedOn().catch(() => new Map());
        for (const [repository, { actedOn: acted, total }] of shares)
          if (total > 0) this.set({ repository }, acted / total);
      },
    });
  }

  new Gauge({
    name: "critic_main_thread_busy_seconds",
    help: "Seconds the main thread's event loop has been busy since start (not waiting for I/O): what delays webhook acknowledgements. Analysis threads are not counted.",
    registers: [registry],
    collect() {
      this.set(performance.eventLoopUtilization().active / 1000);
    },
  });

  return {
    registry,
    webhook: (event: string) => webhooks.inc({ event }),
    review(outcome: string, seconds: number) {
      reviews.inc({ outcome });
      duration.observe(seconds);
    },
    usage(lines: readonly UsageLine[]) {
      for (const l of lines) {
        const provider = l.provider.toLowerCase();
        llmRequests.inc({ provider, cached: "false" }, l.requests - l.cached);
        if (l.cached > 0) llmRequests.inc({ provider, cached: "true" }, l.cached);
        tokens.inc({ provider, direction: "in" }, l.inputTokens);
        tokens.inc({ provider, direction: "out" }, l.outputTokens);
        if (l.costUsd !== undefined) cost.inc({ provider }, l.costUsd);
      }
    },
    rateLimitRemaining: (installation: number, remaining: number) =>
      rateLimit.set({ installation: String(installation) }, remaining),
    spend(installation: number, spent: { tokens: number; usd: number }) {
      spendUsd.set({ installation: String(installation) }, spent.usd);
      spendTokens.set({ installation: String(installation) }, spent.tokens);
    },
  };
}
