/** Where GitHub's web pages live: github.com, or the `GHE_HOST` of an Enterprise server. */
export type GitHubHost = { host: string; protocol: "https" | "http" };

export type RepoRef = { owner: string; repo: string };

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$/;

/**
 * Reads `https://<host>/<owner>/<repo>` (optionally `.git`, a trailing slash, or `/tree/<ref>`
 * whose ref is returned). Anything else is refused with the reason: another host or scheme,
 * credentials, a port the host does not have, a query. Critic fetches only the GitHub API of its
 * configured host, never the URL itself, so this is what keeps the API from being a proxy.
 */
export function parseRepoUrl(
  input: string,
  github: GitHubHost,
): { ok: true; repo: RepoRef; ref?: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, reason: "is not a URL" };
  }
  const expected = `${github.protocol}:`;
  if (url.protocol !== expected)
    return { ok: false, reason: `must be an ${github.protocol}:// URL of ${github.host}` };
  if (url.username || url.password) return { ok: false, reason: "must not carry credentials" };
  if (url.host.toLowerCase() !== github.host.toLowerCase())
    return { ok: false, reason: `must be a repository on ${github.host}` };
  if (url.search || url.hash) return { ok: false, reason: "must not have a query or fragment" };
  const parts = url.pathname.split("/").filter(Boolean);
  const [owner, rawRepo, tree, ...refParts] = parts;
  const repo = rawRepo?.replace(/\.git$/, "");
  if (!owner || !repo || !NAME.test(owner) || !NAME.test(repo) || repo.startsWith("."))
    return { ok: false, reason: "must name a repository: https://host/<owner>/<repo>" };
  if (tree === undefined) return { ok: true, repo: { owner, repo } };
  if (tree === "tree" && refParts.length > 0) {
    let ref: string;
    try {
      ref = decodeURIComponent(refParts.join("/"));
    } catch {
      return { ok: false, reason: "has a malformed branch name" };
    }
    if (!isGitRef(ref)) return { ok: false, reason: "has an invalid branch name" };
    return { ok: true, repo: { owner, repo }, ref };
  }
  return { ok: false, reason: "must name a repository: https://host/<owner>/<repo>" };
}

/** The web host of a GitHub API base URL: api.github.com → github.com; GHE's own host otherwise. */
export function webHostOf(apiBaseUrl: string): GitHubHost {
  const url = new URL(apiBaseUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  if (url.host === "api.github.com") return { host: "github.com", protocol: "https" };
  return { host: url.host, protocol };
}

/**
 * A branch, tag or commit name Critic passes to GitHub: word characters, `.`, `/` and `-`, no
 * `..`, no segment that is empty or starts with `.`, and no leading `-`.
 */
export function isGitRef(ref: string): boolean {
  return (
    /^[\w./-]{1,255}$/.test(ref) &&
    !ref.startsWith("-") &&
    !ref.includes("..") &&
    ref.split("/").every((part) => part !== "" && !part.startsWith("."))
  );
}
