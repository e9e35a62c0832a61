import { isGitHubError } from "./github-error.js";
import type { GitHub } from "./octokit.js";

/** Whether a user owns the organisation, or why Critic cannot tell. */
export type OrgOwnership = "owner" | "not-owner" | "no-permission";

/**
 * Whether `login` is an owner of `org`: an active membership with the role `admin`. GitHub
 * answers this to an App with the organisation permission Members: read; without it the answer
 * is 403, returned as "no-permission". A 404 (not a member, or the account is a user's, not an
 * organisation) is "not-owner".
 * https://docs.github.com/en/rest/orgs/members#get-organization-membership-for-a-user
 */
export async function orgOwnership(gh: GitHub, org: string, login: string): Promise<OrgOwnership> {
  try {
    const { data } = await gh.rest.orgs.getMembershipForUser({ org, username: login });
    return data.role === "admin" && data.state === "active" ? "owner" : "not-owner";
  } catch (error) {
    if (isGitHubError(error, "not-found")) return "not-owner";
    if (isGitHubError(error, "forbidden")) return "no-permission";
    throw error;
  }
}
