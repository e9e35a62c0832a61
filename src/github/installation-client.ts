import type { Probot } from "probot";
import type { Metrics } from "../metrics/metrics.js";
import type { Redactor } from "../security/redactor.js";
import type { GitHub } from "./octokit.js";
import { refreshOnUnauthorized } from "./refresh-on-unauthorized.js";

/**
 * How every job gets its GitHub client: minted per job for the installation (so its throttle
 * bucket is the installation's own and its token is fresh), retried once with a new token on a
 * 401, and, when metrics are on, reporting the installation's remaining REST quota.
 */
export function createInstallationAuth(
  probot: Pick<Probot, "auth" | "log">,
  metrics?: Pick<Metrics, "rateLimitRemaining">,
  secrets?: Pick<Redactor, "add">,
): (installationId: number) => Promise<GitHub> {
  const seen = new Set<string>();
  return async (installationId) => {
    const gh = refreshOnUnauthorized((await probot.auth(installationId)) as GitHub, probot.log);
    // Installation tokens are minted hourly: each joins the secret registry as it is first used.
    if (secrets)
      gh.hook.before("request", (options) => {
        const header = String(options.headers.authorization ?? "");
        const token = header.replace(/^(?:token|bearer)\s+/i, "");
        if (token && token !== header && !seen.has(token)) {
          seen.add(token);
          secrets.add(token);
        }
      });
    if (metrics)
      gh.hook.after("request", (response) => {
        const remaining = Number(response.headers["x-ratelimit-remaining"]);
        if (Number.isFinite(remaining)) metrics.rateLimitRemaining(installationId, remaining);
      });
    return gh;
  };
}
