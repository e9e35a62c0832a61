import type { Logger } from "pino";
import { isGitHubError } from "./github-error.js";
import type { GitHub } from "./octokit.js";

/**
 * An installation token can be revoked or rotated before the 59 minutes Probot caches it for; every
 * request of the job would then fail with 401. On a 401 this mints a new installation token
 * (`refresh: true` replaces the cached one) and sends the request once more. A second 401 is
 * GitHub's answer: the App has lost access, and the error surfaces.
 */
export function refreshOnUnauthorized(gh: GitHub, log?: Pick<Logger, "warn">): GitHub {
  gh.hook.wrap("request", async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      if (!isGitHubError(error, "unauthorized")) throw error;
      log?.warn(
        { method: options.method, url: options.url },
        "GitHub refused the installation token; minting a new one and retrying once",
      );
      await gh.auth({ type: "installation", refresh: true });
      return request(options);
    }
  });
  return gh;
}
