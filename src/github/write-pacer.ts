import type { Redis } from "ioredis";
import { type Clock, realClock } from "../resilience/clock.js";
import {
  GITHUB_WRITE_LIMITS,
  longestSpan,
  MARGIN_MS,
  nextWriteAt,
  recentStarts,
  type WriteLimits,
} from "./write-window.js";

/** Where the start times of an installation's writes are kept: this process, or Redis. */
export type WriteStore = {
  /** Reserves the earliest start the limits allow from `now`, records it, and returns it. */
  reserve(installation: string, now: number, limits: WriteLimits): Promise<number>;
};

export type WritePacer = {
  /** Runs `write` when the installation's budget allows, after its earlier writes (serially). */
  run<T>(installation: string, write: () => Promise<T>): Promise<T>;
};

/**
 * Paces each installation's content writes by GitHub's secondary limits (see `nextWriteAt`):
 * one at a time, back to back while the sliding minute and hour have room, then at the ceiling.
 * Reads never wait here.
 */
export function createWritePacer(options: {
  store: WriteStore;
  clock: Clock;
  limits: WriteLimits;
}): WritePacer {
  const { store, clock, limits } = options;
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(installation: string, write: () => Promise<T>): Promise<T> {
      const before = tails.get(installation) ?? Promise.resolve();
      const mine = before
        .catch(() => undefined)
        .then(async () => {
          const wait = (await store.reserve(installation, clock.now(), limits)) - clock.now();
          if (wait > 0) await clock.sleep(wait);
          return write();
        });
      tails.set(installation, mine);
      // The last write of an installation takes its queue with it: no map entry per installation
      // ever seen.
      void mine
        .catch(() => undefined)
        .finally(() => {
          if (tails.get(installation) === mine) tails.delete(installation);
        });
      return mine;
    },
  };
}

/** The start times in this process, per installation (the embedded default and the Action). */
export function createMemoryWriteStore(): WriteStore {
  const starts = new Map<string, number[]>();
  return {
    async reserve(installation, now, limits) {
      const recent = recentStarts(starts.get(installation) ?? [], now, limits);
      const at = nextWriteAt(recent, now, limits);
      recent.push(at);
      starts.set(installation, recent);
      return at;
    },
  };
}

// One round trip, atomic across processes: drop starts older than the longest window, find the
// start `count` places back in each window, reserve the later of their ends (or now), and keep the
// key as long as its newest start counts. Scores are start times in ms; members are made unique by
// ARGV[3]. ARGV[4..] are the windows as count, span (margin included) pairs.
const RESERVE = `
local key, now, longest = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
local count = redis.call('ZCARD', key)
local at = now
for i = 4, #ARGV, 2 do
  local limit, span = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if count >= limit then
    local gate = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local ends = tonumber(gate[2]) + span
    if ends > at then at = ends end
  end
end
redis.call('ZADD', key, at, at .. ':' .. ARGV[3])
redis.call('PEXPIRE', key, at - now + longest)
return tostring(at)
`;

/** The start times in Redis, shared by every receiver and worker of one deployment. */
export function createRedisWriteStore(redis: Redis, prefix: string): WriteStore {
  let sequence = 0;
  const owner = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  return {
    async reserve(installation, now, limits) {
      sequence += 1;
      const at = await redis.eval(
        RESERVE,
        1,
        `${prefix}:writes:${installation}`,
        now,
        longestSpan(limits),
        `${owner}-${sequence}`,
        ...limits.flatMap((w) => [w.count, w.spanMs + MARGIN_MS]),
      );
      return Number(at);
    },
  };
}

// Every installation's content writes go through this pacer (GitHub's 80 a minute and 500 an
// hour, serially). Probot builds the Octokit instances itself, so the pacer is set once per
// process: in memory by default, in Redis for receivers and workers (`useWritePacer`).
let pacer: WritePacer | undefined;

/** The process's write pacer (made in memory on first use). */
export function currentWritePacer(): WritePacer {
  pacer ??= createWritePacer({
    store: createMemoryWriteStore(),
    clock: realClock,
    limits: GITHUB_WRITE_LIMITS,
  });
  return pacer;
}

/** Replaces the process's write pacer (Redis mode, tests with a fake clock); returns the old one. */
export function useWritePacer(next: WritePacer): WritePacer {
  const previous = currentWritePacer();
  pacer = next;
  return previous;
}
