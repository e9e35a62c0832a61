import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CommandJob } from "../../commands/command-job.js";
import type { DeliveryLog } from "../../webhooks/delivery-log.js";
import type { JobQueue } from "../in-process-queue.js";
import { inheritRequest, pullKey, ReviewJob } from "../review-job.js";
import { openRedis } from "./open-redis.js";
import { hostOf, watchRedisErrors } from "./redis-health.js";

export const REVIEW_QUEUE = "critic-reviews";
export const COMMAND_QUEUE = "critic-commands";

/** BullMQ refuses custom job ids that contain ":" (its key separator); PR keys do ("owner/repo#n"). */
export function safeId(key: string): string {
  return key.replace(/[^A-Za-z0-9_.-]/g, "_");
}

export type BullQueues = {
  /** The connection receivers share their caches through. */
  connection: Redis;
  reviews: JobQueue;
  /** Queues `job` to run after `delayMs` (a rate limit's reset), held in Redis, not in a process. */
  enqueueLater(job: ReviewJob, delayMs: number): Promise<void>;
  enqueueCommand(job: CommandJob): Promise<void>;
  deliveries: DeliveryLog;
  close(): Promise<void>;
};

/**
 * The receiver's side of Redis mode: webhook handlers put jobs here and return; workers
 * (`npm run worker`, any number, anywhere) take them. A PR's pushes are debounced and
 * deduplicated by PR, the newest replacing a waiting older one (and one follow-up kept while a
 * review of it runs), so a burst of pushes ends in one review of the last head.
 */
export function createBullQueues(options: {
  redisUrl: string;
  prefix: string;
  debounceMs: number;
  log?: Pick<Logger, "warn" | "info"> | undefined;
}): BullQueues {
  const connection = openRedis(options.redisUrl, options.log);
  const reviews = new Queue<ReviewJob>(REVIEW_QUEUE, { connection, prefix: options.prefix });
  const commands = new Queue<CommandJob>(COMMAND_QUEUE, { connection, prefix: options.prefix });
  // Without a listener BullMQ prints each error with its stack on stderr.
  for (const queue of [reviews, commands])
    watchRedisErrors(queue, hostOf(options.redisUrl), options.log);
  return {
    connection,
    reviews: {
      async enqueue(next) {
        const dedupId = safeId(pullKey(next));
        // The job this one replaces (waiting) or supersedes (running: its head is no longer the
        // PR's) may be a `/review`: carry its request and the comment to acknowledge. Reactions
        // are idempotent, so a running one that still finishes first does no harm.
        // While a review runs, BullMQ parks the next job in a hash of its own (keepLastIfActive),
        // and this push would overwrite it: the parked one may be a `/review` too.
        const queuedId = await reviews.getDeduplicationJobId(dedupId).catch(() => null);
        const queued = queuedId ? await reviews.getJob(queuedId).catch(() => undefined) : undefined;
        const parked = await connection
          .hget(`${options.prefix}:${REVIEW_QUEUE}:dn:${dedupId}`, "data")
          .then((text) => (text ? ReviewJob.safeParse(JSON.parse(text)) : undefined))
          .catch(() => undefined);
        let job = next;
        if (parked?.success) job = inheritRequest(job, parked.data);
        if (queued?.data) job = inheritRequest(job, queued.data);
        await reviews.add("review", job, {
          deduplication: {
            id: dedupId,
            extend: true,
            replace: true,
            keepLastIfActive: true,
          },
          delay: options.debounceMs,
          attempts: 3,
          backoff: { type: "exponential", delay: 5_000 },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 86_400 },
        });
        return "queued" as const;
      },
      async stats() {
        const counts = await reviews.getJobCounts("waiting", "delayed", "prioritized", "active");
        return {
          pending: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
          running: counts.active ?? 0,
        };
      },
      // Jobs run in workers, not here: there is nothing to wait for in this process.
      onIdle: async () => {},
    },
    async enqueueLater(job, delayMs) {
      await reviews.add("review", job, {
        delay: delayMs,
        attempts: 3,
        removeOnComplete: true,
        removeOnFail: { age: 7 * 86_400 },
      });
    },
    async enqueueCommand(job) {
      await commands.add("command", job, {
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: { age: 86_400 },
      });
    },
    deliveries: {
      async seen(id) {
        // SET NX: the first receiver to see a delivery wins, across every process.
        // If Redis cannot answer, handle the delivery: a rare duplicate beats a lost review.
        const set = await connection
          .set(`${options.prefix}:delivery:${safeId(id)}`, "1", "EX", 86_400, "NX")
          .catch(() => "OK");
        return set === null;
      },
    },
    async close() {
      await reviews.close();
      await commands.close();
      connection.disconnect();
    },
  };
}
