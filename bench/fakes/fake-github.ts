import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type FakeGitHubCall = {
  method: string;
  path: string;
  /** The path with owners, numbers and SHAs replaced: what calls are counted by. */
  route: string;
  /** The installation whose token made the call (undefined for app-level calls). */
  installation: number | undefined;
  status: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** When it was answered (0 until then). */
  doneAt: number;
  body: unknown;
};

export type PostedReview = {
  /** `owner/repo#number`. */
  pr: string;
  commitId: string;
  /** The PR's head when the review arrived: a different `commitId` means a superseded head. */
  headAtPost: string;
  comments: number;
  /** Where each inline comment went, and what it said. */
  inline: Array<{ path: string; line: number; body: string }>;
  body: string;
  at: number;
};

export type GitHubFaults = {
  rng: () => number;
  /** Share of requests answered 502 (before anything is stored, or after when `landed`). */
  errorRate: number;
  /** Share of 502s on writes that are answered after the write was stored, as GitHub sometimes does. */
  landedShare?: number;
  /** How many content writes get a secondary rate limit answer (retry-after: 1 s). */
  secondaryLimits?: number;
  /** How many reviews with inline comments are refused 422 ("line must be part of the diff"). */
  inlineRejections?: number;
};

export type FakeGitHubOptions = {
  appId: number;
  /** What `GET /pulls/{n}/files` answers, for every PR or per PR. */
  files: unknown[] | ((pr: { repo: string; pull: number }) => unknown[]);
  /** What `GET /pulls/{n}` answers as the head, until `setHead` changes it. */
  headSha: string | ((pullNumber: number, repo: string) => string);
  /** What `GET /compare/{base}...{head}` answers; undefined (or no function) is a 404. */
  compare?: (
    repo: string,
    base: string,
    head: string,
  ) => { status: string; files: unknown[] } | undefined;
  latencyMs?: number;
  /**
   * GitHub's secondary limit on content creation: at most this many writes per installation in
   * any 60 s; more are answered 403 "secondary rate limit". 0 turns every limit off. Default 80.
   */
  contentWritesPerMinute?: number;
  /**
   * Every window of GitHub's secondary limit on content creation, per installation, replacing
   * the default of `contentWritesPerMinute` in 60 s and 500 in an hour (a bench may shorten the
   * spans to see the hour's limit bind in a minute).
   */
  writeLimits?: readonly WriteLimitWindow[];
  faults?: GitHubFaults;
};

/** At most `count` content writes per installation in any `spanMs`. */
export type WriteLimitWindow = { count: number; spanMs: number };

/** GitHub's documented secondary limits on content-creating requests: 80 a minute, 500 an hour. */
export const GITHUB_SECONDARY_LIMITS: readonly WriteLimitWindow[] = [
  { count: 80, spanMs: 60_000 },
  { count: 500, spanMs: 3_600_000 },
];

export type FakeGitHub = {
  server: Server;
  url: string;
  calls: FakeGitHubCall[];
  reviews: PostedReview[];
  /** Secondary-limit answers given because a client exceeded the content-write limit. */
  secondaryLimitHits: number;
  /** Faults injected on purpose, by kind. */
  injected: { "502": number; "502-landed": number; secondary: number; "422": number };
  /** Times of accepted content writes, by installation. */
  writes: Map<number, number[]>;
  /** The head each PR's summary last recorded as reviewed (its state marker), and when. */
  reviewed: Map<string, { sha: string; at: number }>;
  /** Bot summary comments (carrying Critic's marker) on a PR. */
  summaries(pr: string): Array<{ id: number; body: string }>;
  setHead(repo: string, pull: number, sha: string): void;
  headOf(repo: string, pull: number): string;
  /** Calls by `METHOD route`, optionally only those matching `filter`. */
  countByRoute(filter?: (call: FakeGitHubCall) => boolean): Map<string, number>;
  close(): Promise<void>;
};

const SECONDARY_LIMIT_MESSAGE =
  "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

/**
 * A GitHub REST API on loopback, enough for reviews: installation tokens, config (always absent),
 * issue comments, PR files, compare, reviews, check runs and GraphQL (no files). It counts calls per
 * installation (known from the token), enforces the content-creation limit per installation, and
 * can inject faults from a seeded random source.
 */
export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const calls: FakeGitHubCall[] = [];
  const reviews: PostedReview[] = [];
  const writes = new Map<number, number[]>();
  const heads = new Map<string, string>();
  const comments = new Map<string, Array<Record<string, unknown>>>();
  const reviewsByPr = new Map<string, Array<Record<string, unknown>>>();
  const tokens = new Map<string, number>();
  const reviewed = new Map<string, { sha: string; at: number }>();
  const noteSummary = (pr: string, text: string) => {
    const sha = /<!-- critic:state \{"sha":"([0-9a-f]*)"/.exec(text)?.[1];
    if (sha) reviewed.set(pr, { sha, at: Date.now() });
  };
  const perMinute = options.contentWritesPerMinute ?? 80;
  const windows: readonly WriteLimitWindow[] =
    perMinute === 0
      ? []
      : (options.writeLimits ?? [
          { count: perMinute, spanMs: 60_000 },
          { count: 500, spanMs: 3_600_000 },
        ]);
  const faults = options.faults;
  const budget = {
    secondary: faults?.secondaryLimits ?? 0,
    inline: faults?.inlineRejections ?? 0,
  };
  let nextId = 1000;
  const state = {
    secondaryLimitHits: 0,
    injected: { "502": 0, "502-landed": 0, secondary: 0, "422": 0 },
  };

  const headOf = (repo: string, pull: number) =>
    heads.get(`${repo}#${pull}`) ??
    (typeof options.headSha === "string" ? options.headSha : options.headSha(pull, repo));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    // REST is under /api/v3 and GraphQL at /api/graphql on a GitHub Enterprise-style host.
    const path = url.pathname.replace(/^\/api(\/v3)?/, "");
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const installation = token === undefined ? undefined : tokens.get(token);
    const call: FakeGitHubCall = {
      method,
      path,
      route: routeOf(path),
      installation,
      status: 0,
      at: Date.now(),
      doneAt: 0,
      body,
    };
    calls.push(call);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      call.doneAt = Date.now();
      res
        .writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers })
        .end(JSON.stringify(data));
    };

    const isToken = method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path);
    // REST writes, and GraphQL mutations (GitHub counts both as content creation).
    const isContentWrite =
      installation !== undefined &&
      method !== "GET" &&
      method !== "HEAD" &&
      (path !== "/graphql" || isMutation(body));
    // A 502 before anything happened; on writes, sometimes after the write was stored.
    let landed502 = false;
    if (faults && faults.rng() < faults.errorRate) {
      if (isContentWrite && faults.rng() < (faults.landedShare ?? 0)) landed502 = true;
      else {
        state.injected["502"]++;
        return json(502, { message: "Server Error" });
      }
    }
    if (isContentWrite && installation !== undefined) {
      if (budget.secondary > 0) {
        budget.secondary--;
        state.injected.secondary++;
        return json(
          403,
          { message: SECONDARY_LIMIT_MESSAGE, documentation_url: "https://docs.github.com" },
          { "retry-after": "1" },
        );
      }
      const now = Date.now();
      const log = writes.get(installation) ?? [];
      // A full window: answered with how long until its `count`-th latest write leaves it.
      let retryAfterMs = 0;
      for (const w of windows) {
        const gate = log.length >= w.count ? (log[log.length - w.count] ?? 0) : undefined;
        if (gate !== undefined && gate > now - w.spanMs)
          retryAfterMs = Math.max(retryAfterMs, gate + w.spanMs - now);
      }
      if (retryAfterMs > 0) {
        state.secondaryLimitHits++;
        return json(
          403,
          { message: SECONDARY_LIMIT_MESSAGE, documentation_url: "https://docs.github.com" },
          { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
        );
      }
      log.push(now);
      writes.set(installation, log);
    }
    const reply = (status: number, data: unknown) => {
      if (!landed502) return json(status, data);
      state.injected["502-landed"]++;
      return json(502, { message: "Server Error" });
    };

    if (isToken) {
      const id = Number(path.split("/")[3]);
      const issued = `ghs_fake_${id}_${nextId++}`;
      tokens.set(issued, id);
      return json(201, {
        token: issued,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: {},
      });
    }
    // Head files, configuration and repository rules: none, so the static engine parses the
    // hunks. A review's context query also gets the PR's comments, as GitHub gives them, and,
    // with no organisation `.github` repository, GitHub's NOT_FOUND for that part.
    if (method === "POST" && path === "/graphql") {
      const query = body as { query?: string; variables?: Record<string, unknown> };
      if (!query.query?.includes("pullRequest(")) return json(200, { data: { repository: {} } });
      const vars = query.variables ?? {};
      const key = `${String(vars.owner)}/${String(vars.repo)}#${String(vars.number)}`;
      const nodes = (comments.get(key) ?? []).map((c) => ({
        fullDatabaseId: String(c.id),
        body: c.body,
        viewerDidAuthor: true,
        author: { __typename: "Bot", login: "critic" },
      }));
      return json(200, {
        data: {
          repository: {
            config: null,
            rules: null,
            pullRequest: { comments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } },
          },
          org: null,
        },
        errors: [
          { type: "NOT_FOUND", path: ["org"], message: "Could not resolve to a Repository" },
        ],
      });
    }
    if (method === "GET" && /\/contents\//.test(path)) return json(404, { message: "Not Found" });

    const issueComments = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (issueComments) {
      const key = `${issueComments[1]}#${issueComments[2]}`;
      const list = comments.get(key) ?? [];
      if (method === "GET") return json(200, list);
      const comment = {
        id: nextId++,
        body: (body as { body: string }).body,
        user: { login: "critic[bot]", type: "Bot" },
        performed_via_github_app: { id: options.appId },
      };
      comments.set(key, [...list, comment]);
      noteSummary(key, comment.body);
      return reply(201, comment);
    }
    const editComment = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (method === "PATCH" && editComment) {
      for (const [key, list] of comments) {
        const found = list.find((c) => c.id === Number(editComment[2]));
        if (!found) continue;
        found.body = (body as { body: string }).body;
        noteSummary(key, String(found.body));
      }
      return reply(200, { id: Number(editComment[2]) });
    }
    if (method === "POST" && /\/issues\/comments\/\d+\/reactions$/.test(path))
      return reply(201, { id: nextId++ });
    const pull = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/.exec(path);
    if (method === "GET" && pull) {
      return json(200, { state: "open", head: { sha: headOf(pull[1] ?? "", Number(pull[2])) } });
    }
    const files = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/files$/.exec(path);
    if (method === "GET" && files) {
      const all =
        typeof options.files === "function"
          ? options.files({ repo: files[1] ?? "", pull: Number(files[2]) })
          : options.files;
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) {
        const next = new URL(req.url ?? "/", `http://${req.headers.host}`);
        next.searchParams.set("page", String(page + 1));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      return json(200, all.slice((page - 1) * perPage, page * perPage), headers);
    }
    const compare = /^\/repos\/([^/]+\/[^/]+)\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(path);
    if (method === "GET" && compare) {
      const answer = options.compare?.(compare[1] ?? "", compare[2] ?? "", compare[3] ?? "");
      return answer
        ? json(200, { ...answer, merge_base_commit: { sha: compare[2] } })
        : json(404, { message: "Not Found" });
    }
    const reviewList = /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/reviews$/.exec(path);
    if (reviewList) {
      const key = `${reviewList[1]}#${reviewList[2]}`;
      const list = reviewsByPr.get(key) ?? [];
      if (method === "GET") return json(200, list);
      const posted = body as { commit_id: string; body: string; comments?: unknown[] };
      if ((posted.comments?.length ?? 0) > 0 && budget.inline > 0) {
        budget.inline--;
        state.injected["422"]++;
        return json(422, {
          message: "Unprocessable Entity",
          errors: ["Pull request review thread line must be part of the diff"],
        });
      }
      const review = {
        id: nextId++,
        state: "COMMENTED",
        body: posted.body,
        commit_id: posted.commit_id,
        user: { login: "critic[bot]", type: "Bot" },
      };
      reviewsByPr.set(key, [...list, review]);
      reviews.push({
        pr: key,
        commitId: posted.commit_id,
        headAtPost: headOf(reviewList[1] ?? "", Number(reviewList[2])),
        comments: posted.comments?.length ?? 0,
        inline: (posted.comments ?? []).map((c) => {
          const comment = c as { path?: string; line?: number; body?: string };
          return { path: comment.path ?? "", line: comment.line ?? 0, body: comment.body ?? "" };
        }),
        body: posted.body,
        at: Date.now(),
      });
      return reply(200, review);
    }
    if (method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path))
      return json(201, { id: nextId++, status: "in_progress" });
    const checkRun = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path);
    if (method === "PATCH" && checkRun) return json(200, { id: Number(checkRun[1]) });
    return json(404, { message: `fake GitHub has no route for ${method} ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    calls,
    reviews,
    writes,
    reviewed,
    get secondaryLimitHits() {
      return state.secondaryLimitHits;
    },
    get injected() {
      return state.injected;
    },
    summaries: (pr) =>
      (comments.get(pr) ?? [])
        .filter((c) => String(c.body).includes("<!-- critic:summary -->"))
        .map((c) => ({ id: Number(c.id), body: String(c.body) })),
    setHead: (repo, pull, sha) => heads.set(`${repo}#${pull}`, sha),
    headOf,
    countByRoute(filter) {
      const counts = new Map<string, number>();
      for (const c of calls) {
        if (filter && !filter(c)) continue;
        const key = `${c.method} ${c.route}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isMutation(body: unknown): boolean {
  const query = (body as { query?: unknown } | undefined)?.query;
  return typeof query === "string" && /^\s*mutation\b/.test(query);
}

/** `/repos/acme/web/pulls/12/files` → `/repos/{o}/{r}/pulls/{n}/files`. */
export function routeOf(path: string): string {
  return path
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}")
    .replace(/\/compare\/.+$/, "/compare/{basehead}")
    .replace(/\/contents\/.+$/, "/contents/{path}")
    .replace(/\/\d+(?=\/|$)/g, "/{n}");
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
