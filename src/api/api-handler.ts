import type { IncomingMessage, ServerResponse } from "node:http";
import { isIPv6 } from "node:net";
import type { Logger } from "pino";
import { z } from "zod";
import type { AssessmentRunner } from "../assess/assessment-runner.js";
import { isQueueFull } from "../assess/assessment-runner.js";
import type { AssessmentRecord } from "../assess/assessment-store.js";
import { renderAssessment } from "../assess/render-assessment.js";
import { type GitHubHost, isGitRef, parseRepoUrl } from "../assess/repo-url.js";
import { type FileReview, resolveLanguage } from "../assess/review-single-file.js";
import { parseLevel } from "../assess/synthesis.js";
import type { SpendLimiter } from "../commands/spend-limiter.js";
import type { ApiKeys } from "./api-keys.js";
import type { AuthFailures } from "./auth-failures.js";
import {
  ApiError,
  formatBytes,
  invalidRequest,
  readBody,
  readJson,
  sendError,
  sendJson,
} from "./http-io.js";
import { DOCS_CSP, docsPage, openApiDocument } from "./openapi.js";

export type ApiDeps = {
  keys: ApiKeys;
  limiter: SpendLimiter;
  /** Failed authentications, per client address. */
  authFailures: AuthFailures;
  /** Proxies whose `X-Forwarded-For` is believed (`CRITIC_TRUSTED_PROXIES`). */
  trustedProxies: readonly string[];
  assessments: AssessmentRunner;
  reviewFile(input: {
    filename: string;
    content: string;
    language: string;
    refactor: boolean;
    /** Aborts when the client goes away: no model call is spent on an answer nobody reads. */
    signal: AbortSignal;
  }): Promise<FileReview>;
  github: GitHubHost;
  version: string;
  log: Pick<Logger, "info" | "warn" | "error">;
};

// JSON bodies are small; only a file for review may be larger.
const MAX_JSON_BYTES = 64 * 1024;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
// Room for multipart boundaries and headers around a 5 MB file, or for JSON's escapes of one.
const MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 64 * 1024;
const MAX_JSON_FILE_BYTES = 2 * MAX_FILE_BYTES;

const AssessmentBody = z.object({
  assignment_description: z.string().trim().min(1).max(20_000),
  github_repo_url: z.string().trim().min(1).max(500),
  candidate_level: z.string(),
  ref: z.string().refine(isGitRef, "must be a branch, tag or commit name").optional(),
});

// Control characters and bidirectional overrides: a name that prints as something it is not.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const FileBody = z.object({
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((name) => !UNPRINTABLE.test(name), "must not hold control or bidirectional characters"),
  content: z.string(),
  language: z.string().max(40).optional(),
});

/**
 * Critic's HTTP API under `/api` (see openapi.ts): assessments of whole repositories (queued,
 * polled) and single-file reviews (answered at once). Every answer is JSON, errors included;
 * the description and its reference page are public, everything else needs a key.
 */
export function createApiHandler(deps: ApiDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://critic.local");
    if (url.pathname !== "/api" && !url.pathname.startsWith("/api/")) return false;
    // GitHub's webhooks share the prefix and are Probot's to answer.
    if (url.pathname.startsWith("/api/github/")) return false;
    try {
      await route(deps, req, res, url);
    } catch (error) {
      if (error instanceof ApiError) sendError(res, error);
      else if (res.destroyed) {
        // The client hung up (a review it no longer waits for was cancelled): not Critic's fault.
        deps.log.info({ path: url.pathname }, "API request ended: the client went away");
      } else {
        deps.log.error({ err: error, path: url.pathname }, "API request failed");
        sendError(res, new ApiError(500, "internal", "the request failed; see the server log"));
      }
    }
    return true;
  };
}

async function route(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname.replace(/\/+$/, "");
  const method = req.method ?? "GET";
  if (method === "GET" && path === "/api/openapi.json")
    return sendJson(res, 200, openApiDocument(deps.version));
  if (method === "GET" && path === "/api/docs") {
    res
      .writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": DOCS_CSP,
      })
      .end(docsPage(openApiDocument(deps.version)));
    return;
  }
  const assessment = /^\/api\/assessments\/([^/]+?)(\.md)?$/.exec(path);
  const known = path === "/api/assessments" || path === "/api/reviews" || assessment !== null;
  if (!known) throw new ApiError(404, "not_found", `no such endpoint: ${method} ${path}`);

  const key = await authenticate(deps, req, throttleKey(clientAddress(req, deps.trustedProxies)));
  if (method === "POST" && path === "/api/assessments") {
    spend(deps, key);
    return submitAssessment(deps, req, res);
  }
  if (method === "POST" && path === "/api/reviews") {
    spend(deps, key);
    return reviewFile(deps, req, res, url);
  }
  if (method === "GET" && assessment?.[1]) {
    const record = await deps.assessments.get(assessment[1]);
    if (!record) throw new ApiError(404, "not_found", "no assessment has this id");
    if (assessment[2]) return sendMarkdown(res, record);
    return sendJson(res, 200, view(record));
  }
  throw new ApiError(405, "method_not_allowed", `${method} is not allowed on ${path}`);
}

/**
 * The caller's key. Failed attempts are counted per client address (its socket's, or the one a
 * trusted proxy forwarded): past the limit an address gets 429 until its bucket refills, so keys
 * cannot be guessed at speed.
 */
async function authenticate(deps: ApiDeps, req: IncomingMessage, client: string): Promise<string> {
  if (!deps.keys.enabled)
    throw new ApiError(401, "unauthorized", "the API is off: the server has no CRITIC_API_KEYS");
  let key: string | undefined;
  const outcome = await deps.authFailures.attempt(client, () => {
    key = deps.keys.verify(req.headers.authorization);
    return key !== undefined;
  });
  if (typeof outcome === "object" && !outcome.ok)
    throw new ApiError(
      429,
      "rate_limited",
      `too many failed authentications from this address; try again in ${outcome.retryInSeconds} s`,
      { "retry-after": String(outcome.retryInSeconds) },
    );
  if (outcome !== "ok" || key === undefined)
    throw new ApiError(401, "unauthorized", "send a valid key as `Authorization: Bearer <key>`", {
      "www-authenticate": "Bearer",
    });
  return key;
}

/** The socket's address, or the nearest forwarded one when the socket is a trusted proxy. */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const socket = normalise(req.socket.remoteAddress ?? "unknown");
  if (!trustedProxies.includes(socket)) return socket;
  const forwarded = String(req.headers["x-forwarded-for"] ?? "")
    .split(",")
    .map((a) => normalise(a.trim()))
    .filter(Boolean);
  // Walk back from the proxy nearest to us; the first address no trusted proxy owns is the client.
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i] ?? "";
    if (!trustedProxies.includes(hop)) return hop.slice(0, 64);
  }
  return socket;
}

/**
 * What failed authentications are counted against: an IPv4 address, or an IPv6 address's /64
 * (one subscriber's network: whoever holds one can use any of its 2^64 addresses, and counting
 * each apart would let them guess without end).
 */
export function throttleKey(address: string): string {
  const bare = address.split("%")[0] ?? address;
  if (!isIPv6(bare)) return bare;
  const [head = "", tail] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An IPv4 tail (::ffff:1.2.3.4) is two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - width(left) - width(right))).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

function normalise(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function spend(deps: ApiDeps, key: string): void {
  const taken = deps.limiter.take(key);
  if (!taken.ok)
    throw new ApiError(
      429,
      "rate_limited",
      `too many requests for this key; try again in ${taken.retryInSeconds} s`,
      { "retry-after": String(taken.retryInSeconds) },
    );
}

async function submitAssessment(deps: ApiDeps, req: IncomingMessage, res: ServerResponse) {
  const parsed = AssessmentBody.safeParse(await readJson(req, MAX_JSON_BYTES));
  if (!parsed.success) throw invalidRequest(parsed.error);
  const body = parsed.data;
  const level = parseLevel(body.candidate_level);
  if (!level)
    throw new ApiError(400, "invalid_request", "candidate_level: must be Junior, Middle or Senior");
  const repo = parseRepoUrl(body.github_repo_url, deps.github);
  if (!repo.ok) throw new ApiError(400, "invalid_request", `github_repo_url: ${repo.reason}`);
  const record = await deps.assessments
    .submit({
      assignment_description: body.assignment_description,
      github_repo_url: body.github_repo_url,
      candidate_level: level,
      ...((body.ref ?? repo.ref) ? { ref: body.ref ?? repo.ref } : {}),
    })
    .catch((error: unknown) => {
      if (!isQueueFull(error)) throw error;
      throw new ApiError(
        429,
        "queue_full",
        "too many assessments are queued or running; try again in a minute",
        { "retry-after": "60" },
      );
    });
  sendJson(
    res,
    202,
    { id: record.id, status: record.status, status_url: `/api/assessments/${record.id}` },
    { location: `/api/assessments/${record.id}` },
  );
}

async function reviewFile(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL) {
  const type = req.headers["content-type"] ?? "";
  let input: z.infer<typeof FileBody>;
  if (/^multipart\/form-data\b/i.test(type)) {
    const body = await readBody(req, MAX_UPLOAD_BYTES);
    let form: FormData;
    try {
      form = await new Response(body, { headers: { "content-type": type } }).formData();
    } catch {
      throw new ApiError(400, "invalid_request", "the multipart body could not be read");
    }
    const file = form.get("file");
    if (!file || typeof file === "string")
      throw new ApiError(400, "invalid_request", "file: attach the file as the `file` field");
    const language = form.get("language");
    // The same limits as the JSON form: a multipart name or language is no longer than it may be.
    const parsed = FileBody.safeParse({
      filename: file.name || "file",
      content: await file.text(),
      ...(typeof language === "string" && language ? { language } : {}),
    });
    if (!parsed.success) throw invalidRequest(parsed.error);
    input = parsed.data;
  } else {
    const parsed = FileBody.safeParse(await readJson(req, MAX_JSON_FILE_BYTES));
    if (!parsed.success) throw invalidRequest(parsed.error);
    input = parsed.data;
  }
  if (Buffer.byteLength(input.content, "utf8") > MAX_FILE_BYTES)
    throw new ApiError(413, "payload_too_large", `the file is over ${formatBytes(MAX_FILE_BYTES)}`);
  if (input.content.includes("\0"))
    throw new ApiError(400, "invalid_request", "content: binary files cannot be reviewed");
  const language = resolveLanguage(input.filename, input.language);
  if (!language.ok) throw new ApiError(400, "unsupported_language", language.message);
  const refactor = /^(1|true|yes)$/i.test(url.searchParams.get("refactor") ?? "");
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableEnded) gone.abort(new Error("[critic] the client went away"));
  });
  const review = await deps.reviewFile({
    filename: input.filename,
    content: input.content,
    language: language.language,
    refactor,
    signal: AbortSignal.any([gone.signal, AbortSignal.timeout(300_000)]),
  });
  sendJson(res, 200, review);
}

function view(record: AssessmentRecord) {
  return {
    id: record.id,
    status: record.status,
    progress: record.progress,
    ...(record.result ? { result: record.result } : {}),
    ...(record.error ? { error: record.error } : {}),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function sendMarkdown(res: ServerResponse, record: AssessmentRecord) {
  if (!record.result)
    throw new ApiError(
      409,
      "not_ready",
      record.status === "failed"
        ? `the assessment failed: ${record.error ?? "no reason given"}`
        : `the assessment is ${record.status}; poll /api/assessments/${record.id}`,
    );
  res
    .writeHead(200, { "content-type": "text/markdown; charset=utf-8" })
    .end(renderAssessment(record.result));
}
