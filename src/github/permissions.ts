import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { isGitHubError } from "./github-error.js";
import type { GitHub } from "./octokit.js";

/** Who may push, by repository and login, kept five minutes: a revoked maintainer loses access within that. */
export type PermissionCache = {
  get(key: string): Promise<boolean | undefined>;
  set(key: string, allowed: boolean): Promise<void>;
};

const TTL_MS = 5 * 60_000;

export function createPermissionCache(): PermissionCache {
  const lru = new LRUCache<string, boolean>({ max: 10_000, ttl: TTL_MS });
  return {
    get: async (key) => lru.get(key),
    set: async (key, allowed) => {
      lru.set(key, allowed);
    },
  };
}

/** Shared by every receiver of Redis mode; a Redis failure is only a miss. */
export function createRedisPermissionCache(redis: Redis, prefix: string): PermissionCache {
  const local = createPermissionCache();
  const redisKey = (key: string) => `${prefix}:permission:${key}`;
  return {
    async get(key) {
      const known = await local.get(key);
      if (known !== undefined) return known;
      const stored = await redis.get(redisKey(key)).catch(() => null);
      return stored === null ? undefined : stored === "1";
    },
    async set(key, allowed) {
      await local.set(key, allowed);
      await redis.set(redisKey(key), allowed ? "1" : "0", "PX", TTL_MS).catch(() => undefined);
    },
  };
}

/**
 * True when `login` may push to the repository: GitHub's base permission `admin` or `write`
 * (`maintain` is reported as `write`). A non-collaborator's 404 means no.
 * https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
 */
export async function hasWriteAccess(
  gh: GitHub,
  repo: { owner: string; repo: string },
  login: string,
  cache: PermissionCache,
): Promise<boolean> {
  const key = `${repo.owner}/${repo.repo}:${login}`.toLowerCase();
  const known = await cache.get(key);
  if (known !== undefined) return known;
  let allowed = false;
  try {
    const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({
      owner: repo.owner,
      repo: repo.repo,
      username: login,
    });
    allowed = data.permission === "admin" || data.permission === "write";
  } catch (error) {
    if (!isGitHubError(error, "not-found")) throw error;
  }
  await cache.set(key, allowed);
  return allowed;
}
