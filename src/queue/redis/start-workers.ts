import { randomUUID } from "node:crypto";
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import type { CommandJob } from "../../commands/command-job.js";
import { abortReason } from "../../model/abort-reason.js";
import type { ReviewOutcome } from "../../review/run-review.js";
import { pullKey, ReviewJob } from "../review-job.js";
import { COMMAND_QUEUE, REVIEW_QUEUE, safeId } from "./bull-queues.js";
import { openRedis } from "./open-redis.js";
import { hostOf, watchRedisErrors } from "./redis-health.js";

export type Workers = { close(): Promise<void> };

// Releases the PR lock only if this worker still holds it.
const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const TAKE_SHARE = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

/**
 * The worker's side of Redis mode. Reviews of one pull request never run at once, across all
 * workers: each takes a short Redis lock on the PR (renewed while it runs, so a dead worker's
 * lock lapses in `lockMs`), and a job that finds it taken waits a second. On shutdown, running
 * jobs are cancelled (they post nothing) and handed back to the queue for another worker.
 */
export function startWorkers(options: {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  lockMs: number;
  /** Reviews started per minute across every worker of the queue; 0 for no limit. */
  reviewsPerMinute: number;
  /** Reviews of one installation running at once across every worker; 0 for no limit. */
  perInstallation?: number | undefined;
  review(job: ReviewJob, signal: AbortSignal): Promise<ReviewOutcome>;
  command(job: CommandJob, signal: AbortSignal): Promise<void>;
  log: Pick<Logger, "info" | "warn" | "error">;
}): Workers {
  const connection = openRedis(options.redisUrl, options.log);
  const locks = openRedis(options.redisUrl, options.log);
  const closing = new AbortController();
  // A lease per running review of the installation, expiring like the PR lock when its worker dies.
  const takeShare = async (share: string, owner: string, cap: number) => {
    const now = Date.now();
    const taken = await locks.eval(
      TAKE_SHARE,
      1,
      share,
      String(now),
      String(cap),
      String(now + options.lockMs),
      owner,
      String(options.lockMs * 4),
    );
    return taken === 1;
  };

  const handBack = async (job: Job, token: string | undefined): Promise<never> => {
    await job.moveToDelayed(Date.now() + 100, token);
    throw new DelayedError();
  };

  const reviews = new Worker<ReviewJob>(
    REVIEW_QUEUE,
    async (job, token) => {
      // Data read back from Redis is outside input: a malformed job fails for good, with the reason.
      const parsed = ReviewJob.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(`[critic] malformed review job: ${parsed.error.message}`);
      const key = `${options.prefix}:lock:${safeId(pullKey(parsed.data))}`;
      const owner = randomUUID();
      if ((await locks.set(key, owner, "PX", options.lockMs, "NX")) === null) {
        await job.moveToDelayed(Date.now() + 1_000, token);
        throw new DelayedError();
      }
      // One busy installation may not hold every worker: past its share, the job waits.
      const share = `${options.prefix}:installation:${parsed.data.installationId}:running`;
      const cap = options.perInstallation ?? 0;
      if (cap > 0 && !(await takeShare(share, owner, cap))) {
        await locks.eval(RELEASE, 1, key, owner).catch(() => undefined);
        await job.moveToDelayed(Date.now() + 1_000, token);
        throw new DelayedError();
      }
      // A failed renewal must not crash the worker: at worst the lock lapses early.
      const renew = setInterval(
        () => {
          void locks.pexpire(key, options.lockMs).catch(() => undefined);
          if (cap > 0)
            void locks.zadd(share, "XX", Date.now() + options.lockMs, owner).catch(() => undefined);
        },
        Math.max(100, options.lockMs / 3),
      );
      try {
        // A job started before may have posted its review before its worker stopped.
        const rerun = parsed.data.rerun === true || job.attemptsStarted > 1;
        const outcome = await options.review({ ...parsed.data, rerun }, closing.signal);
        if (outcome === "interrupted") await handBack(job, token);
        return outcome;
      } finally {
        clearInterval(renew);
        await locks.eval(RELEASE, 1, key, owner).catch(() => undefined);
        if (cap > 0) await locks.zrem(share, owner).catch(() => undefined);
      }
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      // BullMQ's limiter is global to the queue: N workers together stay under the provider's quota.
      ...(options.reviewsPerMinute > 0
        ? { limiter: { max: options.reviewsPerMinute, duration: 60_000 } }
        : {}),
    },
  );
  const commandConnection = openRedis(options.redisUrl, options.log);
  const commands = new Worker<CommandJob>(
    COMMAND_QUEUE,
    (job) => options.command(job.data, closing.signal),
    {
      connection: commandConnection,
      prefix: options.prefix,
      concurrency: options.concurrency,
    },
  );
  for (const worker of [reviews, commands]) {
    // Without a listener BullMQ prints each error with its stack on stderr.
    watchRedisErrors(worker, hostOf(options.redisUrl), options.log);
    worker.on("failed", (job, error) =>
      options.log.error({ err: error, job: job?.id }, "queued job failed"),
    );
  }
  return {
    async close() {
      closing.abort(abortReason("shutdown", "worker shutting down"));
      await Promise.all([reviews.close(), commands.close()]);
      connection.disconnect();
      commandConnection.disconnect();
      locks.disconnect();
    },
  };
}
