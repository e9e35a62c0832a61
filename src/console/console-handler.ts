import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Logger } from "pino";
import { z } from "zod";
import { clientAddress, throttleKey } from "../api/api-handler.js";
import type { ApiKeys } from "../api/api-keys.js";
import type { AuthFailures } from "../api/auth-failures.js";
import {
  ApiError,
  invalidRequest,
  readBody,
  readJson,
  sendError,
  sendJson,
} from "../api/http-io.js";
import { isQueueFull } from "../assess/assessment-runner.js";
import { type GitHubHost, isGitRef, parseRepoUrl } from "../assess/repo-url.js";
import { resolveLanguage } from "../assess/review-single-file.js";
import { parseLevel } from "../assess/synthesis.js";
import type { SpendLimiter } from "../commands/spend-limiter.js";
import type { DashboardView, ReviewRow, SessionView } from "./console-api-types.js";
import { SECURITY_HEADERS, shellPage, signInPage } from "./console-pages.js";
import type { SubmissionService } from "./console-submissions.js";
import { cookie, isHttps, readCookies } from "./cookies.js";
import { markdownOf } from "./download.js";
import {
  authorizeUrl,
  exchangeCode,
  type OAuthConfig,
  readUser,
  readVisible,
  SignInError,
} from "./github-oauth.js";
import { randomToken, type Session, type SessionStore } from "./sessions.js";

export type ConsoleDeps = {
  sessions: SessionStore;
  /** GitHub sign-in; absent when the App's OAuth credentials are not set. */
  oauth: OAuthConfig | undefined;
  /** Whether a GitHub App is registered here. */
  app: boolean;
  /** Operator keys (`CRITIC_API_KEYS`): they sign in where GitHub sign-in is not set up. */
  keys: ApiKeys;
  /** GitHub logins (lower-cased) who see the operator dashboard. */
  operators: readonly string[];
  /** Submissions per person per minute (the API's rate). */
  limiter: SpendLimiter;
  /** Failed sign-ins per client address (the API's rate). */
  authFailures: AuthFailures;
  /** Reads per person (the page polls once a second; a script asking faster is refused). */
  reads: SpendLimiter;
  trustedProxies: readonly string[];
  submissions: SubmissionService;
  /** The review history; absent where none is kept. */
  history:
    | {
        reviews(filter: { repositories?: readonly string[]; limit: number }): Promise<ReviewRow[]>;
        dashboard(): Promise<Omit<DashboardView, "history" | "queues" | "providers">>;
      }
    | undefined;
  /** Queues and providers, now. */
  status(): Promise<Pick<DashboardView, "queues" | "providers">>;
  languages(): string[];
  github: GitHubHost;
  /** Whether assignment reviews run here (they read repositories through the App). */
  assignments: boolean;
  /** Where the page's built script and stylesheet are. */
  assetsDir: string;
  sessionMs: number;
  now(): number;
  log: Pick<Logger, "warn" | "error" | "info">;
};

const gzipAsync = promisify(gzip);
const SESSION_COOKIE = "critic_session";
const STATE_COOKIE = "critic_oauth_state";
const FORM_COOKIE = "critic_form";
// What a person can see is read again this often, so access GitHub took away goes away here too.
const VISIBLE_TTL_MS = 10 * 60_000;
const RETRY_READ_MS = 60_000;
const MAX_JSON_BYTES = 64 * 1024;
// A file of up to 5 MB, and room for JSON's escapes of it.
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FILE_JSON_BYTES = 2 * MAX_FILE_BYTES;
const MAX_FORM_BYTES = 4 * 1024;
const ASSETS: Record<string, string> = {
  "console.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
};

const FileBody = z.object({
  filename: z.string().trim().min(1).max(255),
  content: z.string(),
  language: z.string().max(40).optional(),
});
const AssignmentBody = z.object({
  github_repo_url: z.string().trim().min(1).max(500),
  assignment_description: z.string().trim().min(1).max(20_000),
  candidate_level: z.string(),
  ref: z.string().refine(isGitRef, "must be a branch, tag or commit name").optional(),
});

/**
 * The web console under `/console`: its pages and assets, sign-in (GitHub through the App's OAuth
 * credentials, or an operator key where there is no App), and the JSON the page script reads.
 * Nothing but the sign-in page and the assets answers without a session; every POST needs the
 * session's CSRF token (or, for the key form, the form's) and a same-origin `Origin`.
 */
export function createConsoleHandler(deps: ConsoleDeps) {
  const assets = new Map<string, { body: Buffer; gzipped: Buffer; etag: string }>();
  const signIn = {
    github: deps.oauth !== undefined,
    key: deps.oauth === undefined && deps.keys.enabled,
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://critic.local");
    if (url.pathname !== "/console" && !url.pathname.startsWith("/console/")) return false;
    try {
      await route(req, res, url);
    } catch (error) {
      if (error instanceof ApiError) {
        if (url.pathname.startsWith("/console/api/")) sendError(res, error);
        else sendSignIn(req, res, error.status, error.message);
      } else {
        deps.log.error({ err: error, path: url.pathname }, "console request failed");
        if (!res.headersSent)
          sendError(res, new ApiError(500, "internal", "the request failed; see the server log"));
      }
    }
    return true;
  };

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const asset = /^\/console\/assets\/([\w.-]+)$/.exec(path)?.[1];
    if (asset !== undefined) return sendAsset(req, res, asset);
    if (method === "GET" && path === "/console") {
      const session = deps.sessions.get(readCookies(req).get(SESSION_COOKIE));
      if (!session) return sendSignIn(req, res, 200);
      return sendHtml(res, 200, shellPage());
    }
    if (method === "GET" && path === "/console/auth/github") return startGitHubSignIn(req, res);
    if (method === "GET" && path === "/console/auth/callback")
      return finishGitHubSignIn(req, res, url);
    if (method === "POST" && path === "/console/auth/key") return keySignIn(req, res);
    if (!path.startsWith("/console/api/"))
      throw new ApiError(404, "not_found", `no such page: ${path.slice(0, 100)}`);
    return routeApi(req, res, url, path, method);
  }

  async function routeApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
    method: string,
  ) {
    const session = await current(req);
    if (method === "POST") checkCsrf(req, session);
    else {
      const taken = deps.reads.take(session.owner);
      if (!taken.ok)
        throw new ApiError(
          429,
          "rate_limited",
          `too many requests; try again in ${taken.retryInSeconds} s`,
          {
            "retry-after": String(taken.retryInSeconds),
          },
        );
    }
    if (method === "GET" && path === "/console/api/session")
      return sendJson(res, 200, viewOf(session));
    if (method === "POST" && path === "/console/api/signout") {
      deps.sessions.end(session.id);
      res
        .writeHead(204, {
          ...SECURITY_HEADERS,
          "set-cookie": cookie(SESSION_COOKIE, "", {
            path: "/console",
            maxAge: 0,
            secure: isHttps(req),
          }),
        })
        .end();
      return;
    }
    if (method === "POST" && path === "/console/api/reviews") return submitFile(req, res, session);
    if (method === "POST" && path === "/console/api/assignments")
      return submitAssignment(req, res, session);
    if (method === "GET" && path === "/console/api/submissions")
      return sendJson(res, 200, { submissions: await deps.submissions.list(ownerOf(session)) });
    const submission = /^\/console\/api\/submissions\/([0-9a-f-]{36})(\/download)?$/.exec(path);
    if (method === "GET" && submission?.[1]) {
      const found = await deps.submissions.get(submission[1]);
      // Someone else's submission is answered as if it did not exist.
      if (!found || (found.record.owner !== ownerOf(session) && !session.operator))
        throw new ApiError(404, "not_found", "no submission of yours has this id");
      if (!submission[2]) return sendJson(res, 200, found.view);
      return sendDownload(res, found.view, url.searchParams.get("format"));
    }
    if (method === "GET" && path === "/console/api/reviews") {
      const reviews = deps.history
        ? await deps.history.reviews({
            ...(session.operator ? {} : { repositories: session.repositories }),
            limit: 100,
          })
        : [];
      return sendJson(res, 200, { reviews });
    }
    if (method === "GET" && path === "/console/api/dashboard") {
      if (!session.operator)
        throw new ApiError(
          403,
          "forbidden",
          "the dashboard is for operators (CRITIC_CONSOLE_OPERATORS)",
        );
      const [status, history] = await Promise.all([deps.status(), deps.history?.dashboard()]);
      const view: DashboardView = {
        history: history !== undefined,
        ...status,
        ...(history ?? EMPTY_HISTORY),
      };
      return sendJson(res, 200, view);
    }
    throw new ApiError(404, "not_found", `no such endpoint: ${method} ${path.slice(0, 100)}`);
  }

  /** The request's live session; what it may see is read again from GitHub when it is old. */
  async function current(req: IncomingMessage): Promise<Session> {
    const session = deps.sessions.get(readCookies(req).get(SESSION_COOKIE));
    if (!session) throw new ApiError(401, "unauthorized", "sign in at /console");
    const { token } = session;
    const oauth = deps.oauth;
    if (token && oauth && deps.now() - session.readAt > VISIBLE_TTL_MS) {
      session.reading ??= readVisible(oauth, token)
        .then((visible) => {
          session.installations = visible.installations;
          session.repositories = visible.repositories;
          session.readOkAt = deps.now();
          session.readAt = deps.now();
        })
        .catch((error: unknown) => {
          session.readAt = deps.now() - VISIBLE_TTL_MS + RETRY_READ_MS;
          // GitHub refused the token (revoked, expired, access gone): the session ends.
          if (error instanceof SignInError && /refused/.test(error.message))
            deps.sessions.end(session.id);
          // Any other failure: tried again in a minute, and past the grace period nothing is
          // visible, so access GitHub took away does not linger here.
          else if (deps.now() - session.readOkAt > 2 * VISIBLE_TTL_MS) {
            session.installations = [];
            session.repositories = [];
          }
        })
        .finally(() => {
          session.reading = undefined;
        });
      await session.reading;
      if (!deps.sessions.get(session.id))
        throw new ApiError(
          401,
          "unauthorized",
          "GitHub no longer accepts your sign-in; sign in again",
        );
    }
    return session;
  }

  function viewOf(session: Session): SessionView {
    const canSubmit = session.operator || session.installations.length > 0;
    return {
      login: session.login,
      kind: session.kind,
      operator: session.operator,
      csrf: session.csrf,
      canSubmit,
      ...(canSubmit
        ? {}
        : {
            reason:
              "Your GitHub account cannot see any installation of this App. Ask an owner of your organisation to install it, or to give you access to a repository it is installed on.",
          }),
      assignments: deps.assignments,
      languages: deps.languages(),
      repositories: session.operator ? [] : session.repositories,
    };
  }

  function checkCsrf(req: IncomingMessage, session: Session) {
    checkOrigin(req);
    const token = req.headers["x-csrf-token"];
    if (typeof token !== "string" || !sameSecret(token, session.csrf))
      throw new ApiError(
        403,
        "csrf",
        "the request did not carry this session's CSRF token; reload the page",
      );
  }

  async function submitFile(req: IncomingMessage, res: ServerResponse, session: Session) {
    mayInvoke(session);
    // Counted before the body is read, as the API does: refusals cost the sender their rate too.
    spend(session);
    const parsed = FileBody.safeParse(await readJson(req, MAX_FILE_JSON_BYTES));
    if (!parsed.success) throw invalidRequest(parsed.error);
    const input = parsed.data;
    if (Buffer.byteLength(input.content, "utf8") > MAX_FILE_BYTES)
      throw new ApiError(413, "payload_too_large", "the file is over 5 MB");
    if (input.content.includes("\0"))
      throw new ApiError(400, "invalid_request", "content: binary files cannot be reviewed");
    const language = resolveLanguage(input.filename, input.language);
    if (!language.ok) throw new ApiError(400, "unsupported_language", language.message);
    const record = await deps.submissions.submitFile(ownerOf(session), {
      filename: input.filename,
      // One line-ending rule for the review, the secret scan and what is kept.
      content: input.content.replace(/\r\n?/g, "\n"),
      language: language.language,
    });
    sendJson(res, 202, { id: record.id });
  }

  async function submitAssignment(req: IncomingMessage, res: ServerResponse, session: Session) {
    mayInvoke(session);
    if (!deps.assignments)
      throw new ApiError(
        503,
        "needs_app",
        "assignment reviews read repositories through the GitHub App, and none is registered here",
      );
    spend(session);
    const parsed = AssignmentBody.safeParse(await readJson(req, MAX_JSON_BYTES));
    if (!parsed.success) throw invalidRequest(parsed.error);
    const body = parsed.data;
    const level = parseLevel(body.candidate_level);
    if (!level)
      throw new ApiError(
        400,
        "invalid_request",
        "candidate_level: must be Junior, Middle or Senior",
      );
    const repo = parseRepoUrl(body.github_repo_url, deps.github);
    if (!repo.ok) throw new ApiError(400, "invalid_request", `github_repo_url: ${repo.reason}`);
    const name = `${repo.repo.owner}/${repo.repo.repo}`.toLowerCase();
    if (!session.operator && !session.repositories.includes(name))
      throw new ApiError(
        403,
        "forbidden",
        `your GitHub account cannot see ${name} where this App is installed`,
      );
    spend(session);
    const ref = body.ref ?? repo.ref;
    const record = await deps.submissions
      .submitAssignment(ownerOf(session), {
        assignment_description: body.assignment_description,
        github_repo_url: body.github_repo_url,
        candidate_level: level,
        ...(ref ? { ref } : {}),
      })
      .catch((error: unknown) => {
        if (!isQueueFull(error)) throw error;
        throw new ApiError(
          429,
          "queue_full",
          "too many assessments are queued or running; try again in a minute",
          {
            "retry-after": "60",
          },
        );
      });
    sendJson(res, 202, { id: record.id });
  }

  function mayInvoke(session: Session) {
    const view = viewOf(session);
    if (!view.canSubmit)
      throw new ApiError(403, "forbidden", view.reason ?? "you may not submit here");
  }

  function spend(session: Session) {
    const taken = deps.limiter.take(`console:${ownerOf(session)}`);
    if (!taken.ok)
      throw new ApiError(
        429,
        "rate_limited",
        `too many submissions; try again in ${taken.retryInSeconds} s`,
        {
          "retry-after": String(taken.retryInSeconds),
        },
      );
  }

  function startGitHubSignIn(req: IncomingMessage, res: ServerResponse) {
    if (!deps.oauth)
      throw new ApiError(404, "not_found", "GitHub sign-in is not set up on this server");
    const state = randomToken();
    res
      .writeHead(302, {
        ...SECURITY_HEADERS,
        location: authorizeUrl(deps.oauth, state),
        "set-cookie": cookie(STATE_COOKIE, state, {
          path: "/console/auth",
          maxAge: 600,
          secure: isHttps(req),
        }),
      })
      .end();
  }

  async function finishGitHubSignIn(req: IncomingMessage, res: ServerResponse, url: URL) {
    const oauth = deps.oauth;
    if (!oauth) throw new ApiError(404, "not_found", "GitHub sign-in is not set up on this server");
    const client = throttleKey(clientAddress(req, deps.trustedProxies));
    await throttled(client);
    // The person said no on GitHub's page: nothing failed, nothing is counted.
    if (url.searchParams.get("error") === "access_denied")
      throw new ApiError(400, "sign_in_cancelled", "The sign-in was cancelled on GitHub.");
    const state = url.searchParams.get("state") ?? "";
    const code = url.searchParams.get("code") ?? "";
    const expected = readCookies(req).get(STATE_COOKIE) ?? "";
    if (!expected || !sameSecret(state, expected) || !/^[\w-]{1,100}$/.test(code)) {
      await deps.authFailures.take(client);
      throw new ApiError(
        400,
        "sign_in_failed",
        "The sign-in could not be checked (it expired, or was started elsewhere). Sign in again.",
      );
    }
    let session: Session;
    try {
      const token = await exchangeCode(oauth, code);
      const { login, id } = await readUser(oauth, token);
      const visible = await readVisible(oauth, token);
      const operator = deps.operators.includes(login.toLowerCase());
      session = deps.sessions.create({
        kind: "github",
        login,
        owner: `github:${id}`,
        operator,
        token,
        ...visible,
        readAt: deps.now(),
        readOkAt: deps.now(),
      });
      deps.log.info({ login, operator }, "console sign-in");
    } catch (error) {
      await deps.authFailures.take(client);
      if (error instanceof SignInError) throw new ApiError(502, "sign_in_failed", error.message);
      throw error;
    }
    signedIn(req, res, 302, session, { name: STATE_COOKIE, path: "/console/auth" });
  }

  /** Sends the browser to the console with its new session, dropping the sign-in's own cookie. */
  function signedIn(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    session: Session,
    spent: { name: string; path: string },
  ) {
    const secure = isHttps(req);
    res
      .writeHead(status, {
        ...SECURITY_HEADERS,
        location: "/console",
        "set-cookie": [
          cookie(SESSION_COOKIE, session.id, {
            path: "/console",
            maxAge: seconds(deps.sessionMs),
            secure,
          }),
          cookie(spent.name, "", { path: spent.path, maxAge: 0, secure }),
        ],
      })
      .end();
  }

  async function keySignIn(req: IncomingMessage, res: ServerResponse) {
    if (!signIn.key)
      throw new ApiError(404, "not_found", "sign-in with a key is not offered on this server");
    checkOrigin(req);
    const client = throttleKey(clientAddress(req, deps.trustedProxies));
    await throttled(client);
    const type = req.headers["content-type"] ?? "";
    if (!/^application\/x-www-form-urlencoded\b/i.test(type))
      throw new ApiError(400, "invalid_request", "send the sign-in form");
    const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString("utf8"));
    const expected = readCookies(req).get(FORM_COOKIE) ?? "";
    if (!expected || !sameSecret(form.get("form_token") ?? "", expected))
      throw new ApiError(403, "csrf", "The sign-in form expired; try again.");
    let key: string | undefined;
    const outcome = await deps.authFailures.attempt(client, () => {
      key = deps.keys.verify(`Bearer ${form.get("key") ?? ""}`);
      return key !== undefined;
    });
    if (typeof outcome === "object" && !outcome.ok)
      throw new ApiError(
        429,
        "rate_limited",
        `Too many failed sign-ins from this address; try again in ${outcome.retryInSeconds} s.`,
        { "retry-after": String(outcome.retryInSeconds) },
      );
    if (outcome !== "ok" || key === undefined)
      throw new ApiError(401, "unauthorized", "That key is not one of this server's API keys.");
    const session = deps.sessions.create({
      kind: "operator",
      login: "operator",
      // Each key's submissions are its own: two operators with two keys do not share a list.
      owner: `key:${key}`,
      operator: true,
      installations: [],
      repositories: [],
      readAt: deps.now(),
      readOkAt: deps.now(),
    });
    deps.log.info({ key }, "console sign-in with an operator key");
    signedIn(req, res, 303, session, { name: FORM_COOKIE, path: "/console" });
  }

  async function throttled(client: string) {
    const blocked = await deps.authFailures.peek(client);
    if (!blocked.ok)
      throw new ApiError(
        429,
        "rate_limited",
        `Too many failed sign-ins from this address; try again in ${blocked.retryInSeconds} s.`,
        {
          "retry-after": String(blocked.retryInSeconds),
        },
      );
  }

  function sendSignIn(req: IncomingMessage, res: ServerResponse, status: number, error?: string) {
    if (res.headersSent) return;
    const formToken = randomToken();
    res
      .writeHead(status, {
        ...SECURITY_HEADERS,
        "content-type": "text/html; charset=utf-8",
        "set-cookie": cookie(FORM_COOKIE, formToken, {
          path: "/console",
          maxAge: 3600,
          secure: isHttps(req),
        }),
      })
      .end(signInPage({ ...signIn, app: deps.app, formToken, error }));
  }

  async function sendAsset(req: IncomingMessage, res: ServerResponse, name: string) {
    const type = ASSETS[name];
    if (!type) throw new ApiError(404, "not_found", "no such asset");
    let asset = assets.get(name);
    if (!asset) {
      const body = await readFile(join(deps.assetsDir, name)).catch(() => undefined);
      if (!body) {
        res
          .writeHead(503, { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" })
          .end(
            "The console's page script is not built: run `npm run build`, then restart Critic.\n",
          );
        return;
      }
      // Compressed once, in libuv's pool: the page script is a third of its size gzipped.
      const gzipped = await gzipAsync(body, { level: 9 });
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
      asset = { body, gzipped, etag };
      assets.set(name, asset);
    }
    if (req.headers["if-none-match"] === asset.etag) {
      res
        .writeHead(304, { ...SECURITY_HEADERS, etag: asset.etag, "cache-control": "no-cache" })
        .end();
      return;
    }
    const compressed = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    res
      .writeHead(200, {
        ...SECURITY_HEADERS,
        "content-type": type,
        etag: asset.etag,
        "cache-control": "no-cache",
        vary: "accept-encoding",
        ...(compressed ? { "content-encoding": "gzip" } : {}),
      })
      .end(compressed ? asset.gzipped : asset.body);
  }
}

const EMPTY_HISTORY: Omit<DashboardView, "history" | "queues" | "providers"> = {
  recent: [],
  spend_by_day: [],
  spend_by_repository: [],
  spend_by_provider: [],
  ratings_by_day: [],
  findings_by_day: [],
  acted_on: [],
};

function ownerOf(session: Session): string {
  return session.owner;
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Equal secrets, compared in constant time (hashed first, so lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const hash = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(hash(a), hash(b));
}

/** A browser's cross-site POST carries another `Origin`: refused, whatever the token. */
function checkOrigin(req: IncomingMessage) {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = "";
  }
  if (host !== req.headers.host)
    throw new ApiError(403, "csrf", "the request came from another site");
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res
    .writeHead(status, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" })
    .end(html);
}

function sendDownload(
  res: ServerResponse,
  view: Parameters<typeof markdownOf>[0],
  format: string | null,
) {
  if (view.status !== "done")
    throw new ApiError(
      409,
      "not_ready",
      `the submission is ${view.status}; download it when it is done`,
    );
  const base = view.title.replace(/[^\w.-]+/g, "_").slice(0, 80) || "review";
  const json = format === "json";
  res
    .writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": json ? "application/json; charset=utf-8" : "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="critic-${base}.${json ? "json" : "md"}"`,
    })
    .end(json ? JSON.stringify(view, null, 2) : markdownOf(view));
}
