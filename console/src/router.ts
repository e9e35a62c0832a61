/** The console's pages, by hash: the server serves one shell at `/console`, the hash picks the page. */
export type Route =
  | { page: "review" }
  | { page: "assignment" }
  | { page: "submissions" }
  | { page: "submission"; id: string }
  | { page: "reviews" }
  | { page: "operator" }
  | { page: "not-found"; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, "").replace(/\/+$/, "");
  if (path === "" || path === "review") return { page: "review" };
  if (path === "assignment") return { page: "assignment" };
  if (path === "submissions") return { page: "submissions" };
  if (path === "reviews") return { page: "reviews" };
  if (path === "operator") return { page: "operator" };
  const submission = /^submissions\/([^/]+)$/.exec(path);
  if (submission?.[1]) {
    try {
      return { page: "submission", id: decodeURIComponent(submission[1]) };
    } catch {
      // a malformed escape is just an unknown page
    }
  }
  return { page: "not-found", hash };
}

export function submissionHash(id: string): string {
  return `#/submissions/${encodeURIComponent(id)}`;
}

/** Calls `render` for the current hash now and on every change of it. */
export function startRouter(render: (route: Route) => void): void {
  window.addEventListener("hashchange", () => render(parseRoute(location.hash)));
  render(parseRoute(location.hash));
}
