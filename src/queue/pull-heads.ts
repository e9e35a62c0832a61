import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { within } from "../github/summary-lock.js";

/** What Critic last heard of a pull request: its head commit and whether it is open. */
export type PullHead = { sha: string; open: boolean };

/**
 * The newest head of each pull request, as the webhooks and commands that queue reviews saw it.
 * A review checks it just before posting: a head that moved or a pull request that was closed
 * while it ran means it posts nothing. This answers from memory (or Redis) what a read of the
 * pull request would, at no GitHub call; with no entry (a restart), the review reads GitHub.
 */
export type PullHeads = {
  record(key: string, head: PullHead): Promise<void>;
  latest(key: string): Promise<PullHead | undefined>;
};

export function createPullHeads(max = 10_000): PullHeads {
  const cache = new LRUCache<string, PullHead>({ max });
  return {
    record: async (key, head) => {
      cache.set(key, head);
    },
    latest: async (key) => cache.get(key),
  };
}

// Longer than any review runs; an older entry only costs the review one read of the PR.
const KEEP_SECONDS = 86_400;
const ANSWER_MS = 2_000;

/** Shared by receivers (which record) and workers (which ask), in Redis mode. */
export function createRedisPullHeads(redis: Redis, prefix: string): PullHeads {
  const keyOf = (key: string) => `${prefix}:head:${key}`;
  return {
    async record(key, head) {
      await within(
        redis.set(keyOf(key), `${head.open ? "open" : "closed"} ${head.sha}`, "EX", KEEP_SECONDS),
        ANSWER_MS,
      );
    },
    async latest(key) {
      const value = await within(redis.get(keyOf(key)), ANSWER_MS);
      if (typeof value !== "string") return undefined;
      const match = /^(open|closed) ([0-9a-f]{7,64})$/.exec(value);
      return match ? { open: match[1] === "open", sha: match[2] as string } : undefined;
    },
  };
}
