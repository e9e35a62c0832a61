import type { Logger } from "pino";
import type { AppEnv } from "../config/env.js";
import { isGitHubError } from "../github/github-error.js";
import { CriticOctokit, type GitHub } from "../github/octokit.js";
import { createTokenPool } from "../github/token-pool.js";
import { createPoolOctokit } from "../github/token-pool-auth.js";
import type { RepoRef } from "./repo-url.js";

/**
 * The client for reading a repository to assess: the App's installation on it when there is one
 * (private repositories work), else the operator's `GITHUB_TOKENS` pool, else anonymous reads (60
 * an hour: enough for a small public repository). Without the installation, public ones only.
 */
export function createRepositoryClients(
  env: Pick<AppEnv, "githubTokens" | "github">,
  log: Logger,
  installationFor?: (repo: RepoRef) => Promise<GitHub | undefined>,
): (repo: RepoRef) => Promise<{ gh: GitHub; publicOnly: boolean }> {
  const request = { baseUrl: env.github.apiBaseUrl, log };
  const publicReader =
    env.githubTokens.length > 0
      ? createPoolOctokit({ pool: createTokenPool(env.githubTokens), ...request })
      : new CriticOctokit({ ...request, throttle: { id: "anonymous" } });
  return async (repo) => {
    const installed = await installationFor?.(repo);
    return installed
      ? { gh: installed, publicOnly: false }
      : { gh: publicReader, publicOnly: true };
  };
}

/** Looks up the App's installation on a repository with the App's own credentials. */
export async function findInstallation(
  appClient: GitHub,
  repo: RepoRef,
): Promise<number | undefined> {
  try {
    return (await appClient.rest.apps.getRepoInstallation({ ...repo })).data.id;
  } catch (error) {
    if (isGitHubError(error, "not-found")) return undefined;
    throw error;
  }
}
