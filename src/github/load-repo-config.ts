import { CONFIG_PATH, defaultRepoConfig } from "../config/repo-config.schema.js";
import {
  type ConfigSource,
  type ResolvedRepoConfig,
  resolveRepoConfig,
} from "../config/resolve-repo-config.js";
import type { GitHub } from "./octokit.js";

/**
 * Reads `.github/critic.yml` (or the operator's `CRITIC_CONFIG_PATH`) from the repository's default branch, the way `context.config` does:
 * falling back to the organisation's `.github` repository and following `_extends`. A PR cannot
 * change the configuration that reviews it. A file that cannot be read or parsed gives the
 * defaults and a note naming the file; it never stops the review.
 */
export async function loadRepoConfig(
  gh: GitHub,
  repo: { owner: string; repo: string },
  path: string = CONFIG_PATH,
): Promise<ResolvedRepoConfig> {
  try {
    const { files } = await gh.config.get({
      owner: repo.owner,
      repo: repo.repo,
      path,
    });
    const sources: ConfigSource[] = [...files].reverse().map((f) => ({
      label:
        f.owner === repo.owner && f.repo === repo.repo ? f.path : `${f.owner}/${f.repo}:${f.path}`,
      config: f.config,
    }));
    return resolveRepoConfig(sources);
  } catch (error) {
    const why =
      error instanceof Error
        ? error.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "")
        : "unknown error";
    return {
      config: defaultRepoConfig(),
      errors: [`${path}: could not be read (${why}); using the defaults.`],
    };
  }
}
