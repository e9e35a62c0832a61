/**
 * Octokit's request options as a `request` hook sees them: the route's method and URL template,
 * Octokit's own keys, and the parameters (those the template names go in the URL, the rest in
 * the body of a write, or the query string of a read).
 */
export type HookOptions = {
  method?: string;
  url?: string;
  request?: Record<string, unknown>;
  [parameter: string]: unknown;
};

// What `@octokit/endpoint` never sends in a body.
const OCTOKIT_KEYS = new Set(["method", "baseUrl", "url", "headers", "request", "mediaType"]);

/**
 * Serialises the request's JSON body with the engine's `JSON.stringify`, as `data` (which
 * Octokit sends as it is), leaving the other options as they were for the hooks that read them.
 * Octokit serialises bodies with `json-with-bigint`, which on Node 20 stringifies with a
 * replacer and then rewrites the text with regular expressions: a few times the cost, for
 * numbers GitHub's API never takes. A body that holds a BigInt is left to Octokit.
 *
 * In place: every inner hook is bound to this very object (before-after-hook), and sees only
 * what is changed on it.
 */
export function serialiseBody(options: HookOptions): void {
  const method = (options.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD" || "data" in options) return;
  const inUrl = urlVariableNames((options.url ?? "/").replace(/:([a-z]\w+)/g, "{$1}"));
  const body: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(options)) {
    if (OCTOKIT_KEYS.has(key) || inUrl.has(key)) continue;
    body[key] = options[key];
    any = true;
  }
  if (!any) return;
  try {
    options.data = JSON.stringify(body);
  } catch {
    // A BigInt: Octokit's serialiser takes it.
  }
}

/** `@octokit/endpoint`'s reading of a URL template's variable names (`{owner}`, `{?per_page}`). */
function urlVariableNames(url: string): Set<string> {
  const names = new Set<string>();
  for (const match of url.match(/\{[^{}}]+\}/g) ?? [])
    for (const name of match.replace(/(?:^\W+)|(?:(?<!\W)\W+$)/g, "").split(/,/)) names.add(name);
  return names;
}
