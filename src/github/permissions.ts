import { LRUCache } from "lru-cache";
import type { GitHub } from "./octokit.js";

export type PermissionCache = LRUCache<string, boolean>;

/** Permission answers are kept five minutes: a revoked maintainer loses access within that. */
export function createPermissionCache(): PermissionCache {
  return new LRUCache<string, boolean>({ max: 10_000, ttl: 5 * 60_000 });
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
  const known = cache.get(key);
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
    if ((error as { status?: number }).status !== 404) throw error;
  }
  cache.set(key, allowed);
  return allowed;
}
