import nock from "nock";

export const GITHUB = "https://api.github.com";
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const PR = 2;
/** A small change most tests review: two lines added to src/x.ts (head lines 3 and 4). */
export const PATCH = "@@ -1,2 +1,4 @@\n a\n b\n+c\n+d";
export const FILE = {
  filename: "src/x.ts",
  status: "modified",
  additions: 2,
  deletions: 0,
  changes: 2,
  patch: PATCH,
};

/** The head of PR #2 in GitHub's example payloads. */
export const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

// As GitHub sends it: without the charset Octokit hands the body over as an ArrayBuffer.
const RAW = { "content-type": "application/vnd.github.v3.raw; charset=utf-8" };

/**
 * Scripted GitHub for one PR, with one named helper per endpoint. Captured bodies are returned.
 * Pass a scope to add conditions to every call (e.g. the token in `authorization`).
 */
export function githubMock(scope: nock.Scope = nock(GITHUB)) {
  const captured = {
    comments: [] as Array<{ body: string }>,
    updates: [] as Array<{ body: string }>,
    /** Every text the summary comment was given, created or edited, in order. */
    summaries: [] as string[],
    reviews: [] as Array<Record<string, unknown>>,
    graphql: [] as Array<{ query: string; variables: Record<string, string> }>,
    reactions: [] as string[],
    checkRuns: [] as Array<Record<string, unknown>>,
    checkUpdates: [] as Array<{ id: number; body: CheckRunUpdate }>,
    dismissals: [] as Array<{ id: number; message: string }>,
  };
  const repoPath = `/repos/${OWNER}/${REPO}`;
  const api = {
    scope,
    captured,
    token() {
      scope.post("/app/installations/1/access_tokens").reply(201, {
        token: "ghs_installation_token_for_tests",
        expires_at: "2099-01-01T00:00:00Z",
        permissions: {},
      });
      return api;
    },
    /** `.github/critic.yml` in the repo and then in the org's `.github` repo. */
    config(repoYaml?: string, orgYaml?: string) {
      const path = "/contents/.github%2Fcritic.yml";
      if (repoYaml === undefined) {
        scope.get(`${repoPath}${path}`).reply(404, { message: "Not Found" });
        if (orgYaml === undefined)
          scope.get(`/repos/${OWNER}/.github${path}`).reply(404, { message: "Not Found" });
        else scope.get(`/repos/${OWNER}/.github${path}`).reply(200, orgYaml, RAW);
      } else {
        scope.get(`${repoPath}${path}`).reply(200, repoYaml, RAW);
      }
      return api;
    },
    listComments(comments: Array<Record<string, unknown>> = []) {
      scope.get(`${repoPath}/issues/${PR}/comments`).query({ per_page: 100 }).reply(200, comments);
      return api;
    },
    /** A comment created; a 5xx `status` answers with an error (the comment may have landed anyway). */
    createComment(id = 9001, status = 201) {
      scope
        .post(`${repoPath}/issues/${PR}/comments`, (body: { body: string }) => {
          captured.comments.push(body);
          if (body.body.includes(SUMMARY)) captured.summaries.push(body.body);
          return true;
        })
        .reply(status, status < 300 ? { id } : { message: "Bad Gateway" });
      return api;
    },
    updateComment(id = 9001, times = 1) {
      scope
        .patch(`${repoPath}/issues/comments/${id}`, (body: { body: string }) => {
          captured.updates.push(body);
          if (body.body.includes(SUMMARY)) captured.summaries.push(body.body);
          return true;
        })
        .times(times)
        .reply(200, { id });
      return api;
    },
    /** The PR's files, 100 a page with `link` headers, as GitHub paginates them. */
    listFiles(files: Array<Record<string, unknown>>) {
      const path = `${repoPath}/pulls/${PR}/files`;
      const pages = Math.max(1, Math.ceil(files.length / 100));
      for (let page = 1; page <= pages; page++) {
        const link =
          page < pages
            ? {
                link: `<${GITHUB}${path}?per_page=100&page=${page + 1}>; rel="next", <${GITHUB}${path}?per_page=100&page=${pages}>; rel="last"`,
              }
            : undefined;
        scope
          .get(path)
          .query(page === 1 ? { per_page: 100 } : { per_page: 100, page })
          .reply(200, files.slice((page - 1) * 100, page * 100), link);
      }
      return api;
    },
    /**
     * The review's one GraphQL read: the configuration (`config` in the repository, else
     * `orgConfig` in the organisation's `.github` repository), the PR's comments as REST lists
     * them (see botComment), head files by path and repository rules.
     */
    context(options: ContextOptions = {}) {
      contextMock(options, scope, captured.graphql);
      return api;
    },
    /** The GraphQL read of head files and repository rules (none of either by default). */
    sources(texts: Record<string, string> = {}, rules: Record<string, string> = {}, times = 1) {
      for (let i = 0; i < times; i++) sourcesMock(texts, rules, scope, captured.graphql);
      return api;
    },
    /** A user's permission on the repository; "none" answers 404 as GitHub does for non-collaborators. */
    permission(login: string, level: "admin" | "write" | "read" | "none") {
      const path = `${repoPath}/collaborators/${login}/permission`;
      if (level === "none") scope.get(path).reply(404, { message: "Not Found" });
      else scope.get(path).reply(200, { permission: level, role_name: level, user: { login } });
      return api;
    },
    /** A reaction on a conversation comment (kind "issue") or a review comment ("review"). */
    reaction(commentId: number, content: string, kind: "issue" | "review" = "issue") {
      const path =
        kind === "issue"
          ? `${repoPath}/issues/comments/${commentId}/reactions`
          : `${repoPath}/pulls/comments/${commentId}/reactions`;
      scope
        .post(path, (body: { content: string }) => {
          captured.reactions.push(`${commentId}:${body.content}`);
          return body.content === content;
        })
        .reply(201, { id: 1, content });
      return api;
    },
    /** The full PR, as `/review` and `/ask` read it. */
    getPullFull(overrides: Record<string, unknown> = {}) {
      scope.get(`${repoPath}/pulls/${PR}`).reply(200, {
        number: PR,
        state: "open",
        draft: false,
        title: "Add divide()",
        body: "Adds a helper.",
        head: { sha: HEAD_SHA },
        ...overrides,
      });
      return api;
    },
    /** A review comment, e.g. the Critic comment a thread starts with. */
    getReviewComment(id: number, body: string, type = "Bot") {
      scope.get(`${repoPath}/pulls/comments/${id}`).reply(200, {
        id,
        body,
        user: { login: type === "Bot" ? "critic[bot]" : "octocat", type },
      });
      return api;
    },
    /** A reply in a review thread. */
    threadReply(rootId: number) {
      scope
        .post(`${repoPath}/pulls/${PR}/comments/${rootId}/replies`, (body: { body: string }) => {
          captured.comments.push(body);
          return true;
        })
        .reply(201, { id: 5000 });
      return api;
    },
    /** The PR read fresh before publishing: its head and state. */
    getPull(sha = HEAD_SHA, state = "open") {
      scope.get(`${repoPath}/pulls/${PR}`).reply(200, { number: PR, state, head: { sha } });
      return api;
    },
    createReview(status = 200, reply: Record<string, unknown> = { id: 1 }) {
      scope
        .post(`${repoPath}/pulls/${PR}/reviews`, (body: Record<string, unknown>) => {
          captured.reviews.push(body);
          return true;
        })
        .reply(status, reply);
      return api;
    },
    listReviews(reviews: Array<Record<string, unknown>>) {
      scope.get(`${repoPath}/pulls/${PR}/reviews`).query({ per_page: 100 }).reply(200, reviews);
      return api;
    },
    /** A review dismissed (an earlier change request the gate no longer backs). */
    dismissReview(id: number) {
      scope
        .put(`${repoPath}/pulls/${PR}/reviews/${id}/dismissals`, (body: { message: string }) => {
          captured.dismissals.push({ id, message: body.message });
          return true;
        })
        .reply(200, { id, state: "DISMISSED" });
      return api;
    },
    /** The `Critic` check run opened in progress; `status` 403 as for an App without `checks: write`. */
    createCheckRun(id = 7000, status = 201) {
      scope
        .post(`${repoPath}/check-runs`, (body: Record<string, unknown>) => {
          captured.checkRuns.push(body);
          return true;
        })
        .reply(
          status,
          status < 300
            ? { id, status: "in_progress" }
            : { message: "Resource not accessible by integration" },
        );
      return api;
    },
    /** The check run of one review that runs to the end: opened, then completed in one update. */
    checkRun(id = 7000) {
      return api.createCheckRun(id).updateCheckRun(id);
    },
    /**
     * Every call of a first review of the pull request: the files, the one GraphQL read (the
     * configuration, the comments, head files and rules), the check run opened, the review (when
     * it has inline comments), the summary created, and the check run completed. A review that
     * gains a call gains it here, once.
     */
    firstReview(
      options: {
        config?: string | undefined;
        files?: Array<Record<string, unknown>>;
        comment?: number;
        checkRun?: number;
        review?: boolean;
        texts?: Record<string, string>;
        rules?: Record<string, string>;
      } = {},
    ) {
      api
        .listFiles(options.files ?? [FILE])
        .context({ config: options.config, texts: options.texts, rules: options.rules })
        .checkRun(options.checkRun ?? 7000);
      if (options.review !== false) api.createReview();
      return api.createComment(options.comment ?? 9001);
    },
    /** Updates of check run `id` (completing it, then appending annotations). */
    updateCheckRun(id = 7000, times = 1, status = 200) {
      scope
        .patch(`${repoPath}/check-runs/${id}`, (body: CheckRunUpdate) => {
          captured.checkUpdates.push({ id, body });
          return true;
        })
        .times(times)
        .reply(status, status < 300 ? { id } : { message: "Validation Failed" });
      return api;
    },
  };
  return api;
}

/** What Critic sends when it updates a check run. */
export type CheckRunUpdate = {
  status?: string;
  conclusion?: string;
  output?: {
    title: string;
    summary: string;
    annotations?: Array<{
      path: string;
      start_line: number;
      end_line: number;
      annotation_level: string;
      title?: string;
      message: string;
    }>;
  };
};

/** A summary comment as GitHub lists it, written by the App (id 123) unless said otherwise. */
export function botComment(id: number, body: string, appId = 123) {
  return {
    id,
    body,
    user: { login: "critic[bot]", type: "Bot" },
    performed_via_github_app: { id: appId },
  };
}

type GraphqlBody = { query: string; variables: Record<string, string> };

const SUMMARY = "<!-- critic:summary";

export type ContextOptions = {
  config?: string | undefined;
  orgConfig?: string | undefined;
  /** As REST lists them: `{ id, body, user: { login, type }, performed_via_github_app }`. */
  comments?: Array<Record<string, unknown>> | undefined;
  texts?: Record<string, string> | undefined;
  rules?: Record<string, string> | undefined;
  /** The PR's review threads as GraphQL gives them (see reviewThread). */
  threads?: Array<Record<string, unknown>> | undefined;
  /** Instruction files at the base commit, by path (see instructionFields); others are missing. */
  instructions?: { base: string; files: Record<string, string> } | undefined;
};

const blob = (text: string | undefined) =>
  text === undefined ? null : { text, byteSize: Buffer.byteLength(text), isBinary: false };

/**
 * Answers the review's context query as GitHub does, the organisation's `.github` repository
 * included: without `orgConfig` it does not exist, and GitHub answers NOT_FOUND for that part
 * beside the data. Comments are turned from REST's shape into GraphQL's (bots' logins without
 * "[bot]"; this token's own when the App id is the test App's, 123).
 */
export function contextMock(
  options: ContextOptions,
  scope = nock(GITHUB),
  requests: GraphqlBody[] = [],
) {
  scope
    .post("/graphql", (body: GraphqlBody) => body.query.includes("pullRequest("))
    .reply(200, (_uri, body) => {
      const request = body as GraphqlBody;
      requests.push(request);
      const repository: Record<string, unknown> = {
        config: blob(options.config),
        rules: rulesTree(options.rules ?? {}),
        pullRequest: {
          comments: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: (options.comments ?? []).map(graphqlComment),
          },
          reviewThreads: { nodes: options.threads ?? [] },
        },
      };
      for (const [name, expression] of Object.entries(request.variables)) {
        if (!/^p\d+$/.test(name)) continue;
        const path = expression.slice(expression.indexOf(":") + 1);
        repository[`f${name.slice(1)}`] = blob(options.texts?.[path]);
      }
      if (options.instructions) answerInstructions(options.instructions, request, repository);
      if (options.orgConfig !== undefined)
        return { data: { repository, org: { config: blob(options.orgConfig) } } };
      return {
        data: { repository, org: null },
        errors: [
          {
            type: "NOT_FOUND",
            path: ["org"],
            message: `Could not resolve to a Repository with the name '${OWNER}/.github'.`,
          },
        ],
      };
    });
  return { scope, requests };
}

/**
 * Answers the instruction fields (`i0`…, `idir0`…, `ibase`) as GitHub would from the commit
 * `base`: an expression naming another commit (the head, say) finds nothing.
 */
function answerInstructions(
  instructions: { base: string; files: Record<string, string> },
  request: GraphqlBody,
  repository: Record<string, unknown>,
) {
  for (const [name, expression] of Object.entries(request.variables)) {
    if (name === "ibase")
      repository.ibase = expression === instructions.base ? { oid: expression } : null;
    if (!/^i(dir)?\d+$/.test(name)) continue;
    const at = expression.indexOf(":");
    const [rev, path] = [expression.slice(0, at), expression.slice(at + 1)];
    const files = rev === instructions.base ? instructions.files : {};
    if (name.startsWith("idir")) {
      const entries = Object.entries(files)
        .filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes("/"))
        .map(([p, text]) => ({ name: p.slice(path.length + 1), type: "blob", object: blob(text) }));
      repository[name] = entries.length > 0 ? { entries } : null;
    } else repository[name] = blob(files[path]);
  }
}

function rulesTree(rules: Record<string, string>) {
  const entries = Object.entries(rules).map(([name, text]) => ({
    name,
    type: "blob",
    object: blob(text),
  }));
  return entries.length > 0 ? { entries } : null;
}

function graphqlComment(comment: Record<string, unknown>) {
  const user = comment.user as { login?: string; type?: string } | undefined;
  const app = comment.performed_via_github_app as { id?: number } | undefined;
  return {
    fullDatabaseId: String(comment.id),
    body: comment.body,
    viewerDidAuthor: user?.type === "Bot" && app?.id === 123,
    author: user ? { __typename: user.type, login: user.login?.replace(/\[bot\]$/, "") } : null,
  };
}

/**
 * Answers Critic's GraphQL request for head files and repository rules: `texts` by path (others
 * come back missing), `rules` as `.github/critic/rules/<name>` blobs. The request is captured.
 */
export function sourcesMock(
  texts: Record<string, string> = {},
  rules: Record<string, string> = {},
  scope = nock(GITHUB),
  requests: GraphqlBody[] = [],
) {
  scope
    .post("/graphql", (body: GraphqlBody) => !body.query.includes("pullRequest("))
    .reply(200, (_uri, body) => {
      const request = body as GraphqlBody;
      requests.push(request);
      const repository: Record<string, unknown> = {};
      for (const [name, expression] of Object.entries(request.variables)) {
        if (!/^p\d+$/.test(name)) continue;
        const path = expression.slice(expression.indexOf(":") + 1);
        const text = texts[path];
        repository[`f${name.slice(1)}`] =
          text === undefined ? null : { text, byteSize: Buffer.byteLength(text), isBinary: false };
      }
      if ("rules" in request.variables) {
        const entries = Object.entries(rules).map(([name, text]) => ({
          name,
          type: "blob",
          object: { text, byteSize: text.length, isBinary: false },
        }));
        repository.rules = entries.length > 0 ? { entries } : null;
      }
      return { data: { repository } };
    });
  return { scope, requests };
}

/** GitHub's compare of `base...head`: status and files, or 404. */
export function compareMock(
  scope: nock.Scope,
  base: string,
  head: string,
  reply: { status: string; files: Array<Record<string, unknown>> } | 404,
) {
  const path = `/repos/${OWNER}/${REPO}/compare/${base}...${head}`;
  if (reply === 404) scope.get(path).query(true).reply(404, { message: "Not Found" });
  else
    scope
      .get(path)
      .query(true)
      .reply(200, { status: reply.status, merge_base_commit: { sha: base }, files: reply.files });
}

/**
 * One review thread as GitHub's GraphQL gives it: Critic's comment first (written by this token),
 * then people's replies.
 */
export function reviewThread(options: {
  id: string;
  commentId: number;
  path?: string;
  line?: number;
  body: string;
  resolvedBy?: string;
  outdated?: boolean;
  replies?: string[];
  thumbsUp?: number;
}) {
  return {
    id: options.id,
    isResolved: options.resolvedBy !== undefined,
    isOutdated: options.outdated === true,
    path: options.path ?? "src/x.ts",
    line: options.line ?? 3,
    originalLine: options.line ?? 3,
    resolvedBy: options.resolvedBy === undefined ? null : { login: options.resolvedBy },
    comments: {
      nodes: [
        {
          fullDatabaseId: String(options.commentId),
          body: options.body,
          viewerDidAuthor: true,
          author: { __typename: "Bot", login: "critic" },
          reactionGroups: [
            { content: "THUMBS_UP", reactors: { totalCount: options.thumbsUp ?? 0 } },
          ],
        },
        ...(options.replies ?? []).map((body, i) => ({
          fullDatabaseId: String(options.commentId + i + 1),
          body,
          viewerDidAuthor: false,
          author: { __typename: "User", login: "octocat" },
          reactionGroups: [],
        })),
      ],
    },
  };
}
