import type { Redis } from "ioredis";

/**
 * Runs `fn` alone for `key` (a pull request): Critic looks for its summary comment and creates it
 * when missing, and two of those at once (two `/pause`s, a `/pause` and a review) would create
 * two summaries.
 */
export type SummaryLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/** In one process: the calls for a key run one after another. */
export function createSummaryLock(): SummaryLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, fn) => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
// A holder finds and writes one comment: seconds. A dead holder's lock lapses after this; a live
// one renews it every third of it, so a slow write (GitHub taking its time, a paced write) keeps it.
const HOLD_MS = 15_000;
const WAIT_MS = 30_000;
// How long a Redis command may take before the lock is given up on.
const ANSWER_MS = 2_000;

/** `promise`'s value, or "timeout" when it fails or takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
    timer.unref();
  });
  return Promise.race([promise.catch(() => "timeout" as const), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/** Across processes (Redis mode): a short Redis lock per pull request, waited for in turns. */
export function createRedisSummaryLock(
  redis: Redis,
  prefix: string,
  sleep: (ms: number) => Promise<void>,
  holdMs = HOLD_MS,
): SummaryLock {
  return async (key, fn) => {
    const lock = `${prefix}:summary-lock:${key}`;
    const owner = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    for (let waited = 0; ; waited += 100) {
      // Redis unreachable (its commands wait for a reconnect) or a stuck holder: go on rather
      // than never write the summary.
      const taken = await within(redis.set(lock, owner, "PX", holdMs, "NX"), ANSWER_MS);
      if (taken === "timeout") return fn();
      if (taken !== null) break;
      if (waited >= WAIT_MS) return fn();
      await sleep(100);
    }
    // Redis's own clock runs the expiry; this timer only keeps a live holder's lock from lapsing.
    const renewal = setInterval(() => {
      void within(redis.eval(RENEW, 1, lock, owner, holdMs), ANSWER_MS);
    }, holdMs / 3);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await within(redis.eval(RELEASE, 1, lock, owner), ANSWER_MS).catch(() => undefined);
    }
  };
}
