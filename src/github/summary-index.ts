import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import type { IssueComment } from "./pull-request.js";
import { within } from "./summary-lock.js";

/**
 * The summary comment each pull request has, as Critic last wrote it. A review looks its summary
 * up when it starts and writes it when it ends; a `/pause` in between may have created it. Both
 * write under the summary lock and note the comment here, so the later writer edits the one
 * comment instead of posting a second, without another read from GitHub.
 */
export type SummaryIndex = {
  get(key: string): Promise<IssueComment | undefined>;
  set(key: string, comment: IssueComment): Promise<void>;
};

/** In one process; the oldest entries go first past `max`. */
export function createSummaryIndex(max = 10_000): SummaryIndex {
  const cache = new LRUCache<string, IssueComment>({ max });
  return {
    get: async (key) => cache.get(key),
    set: async (key, comment) => {
      cache.set(key, comment);
    },
  };
}

// Long enough to outlive any review of the pull request that is still running.
const KEEP_SECONDS = 86_400;
// A summary is at most 65,536 characters; anything larger was not written by Critic.
const MAX_STORED = 70_000;
const ANSWER_MS = 2_000;

/** Across processes (Redis mode). Redis unreachable: the index is empty, and GitHub's word stands. */
export function createRedisSummaryIndex(redis: Redis, prefix: string): SummaryIndex {
  const keyOf = (key: string) => `${prefix}:summary:${key}`;
  return {
    async get(key) {
      const text = await within(redis.get(keyOf(key)), ANSWER_MS);
      if (!text || text === "timeout" || text.length > MAX_STORED) return undefined;
      try {
        const value = JSON.parse(text) as { id?: unknown; body?: unknown };
        return typeof value.id === "number" && typeof value.body === "string"
          ? { id: value.id, body: value.body }
          : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, comment) {
      await within(redis.set(keyOf(key), JSON.stringify(comment), "EX", KEEP_SECONDS), ANSWER_MS);
    },
  };
}
