import type { ErrorView, SessionView } from "../../src/console/console-api-types.js";

/** A refusal or failure from the console's API, with the server's words for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

const BASE = "/console/api";

/** The session ended (or never was): the server's `/console` page signs people in again. */
function signedOut(): never {
  location.href = "/console";
  throw new ApiError(401, "unauthenticated", "Your session has ended; signing in again…");
}

function isErrorView(value: unknown): value is ErrorView {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

async function request(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      ...init,
      credentials: "same-origin",
      headers: { accept: "application/json", ...init.headers },
    });
  } catch {
    throw new ApiError(0, "network", "Critic could not be reached. Check the connection.");
  }
  if (response.status === 401) signedOut();
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    if (isErrorView(body)) throw new ApiError(response.status, body.error, body.message);
    throw new ApiError(response.status, "http", `Critic answered ${response.status}.`);
  }
  return response;
}

/** GET a JSON document. The type is the contract's word for it; the server is trusted to keep it. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, signal ? { method: "GET", signal } : { method: "GET" });
  return (await response.json()) as T;
}

/** POST JSON with the session's CSRF token; resolves to the JSON answer, or undefined on 204. */
export async function postJson<T>(
  path: string,
  body: unknown,
  session: Pick<SessionView, "csrf">,
): Promise<T | undefined> {
  const response = await request(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": session.csrf },
    body: JSON.stringify(body ?? {}),
  });
  if (response.status === 204) return undefined;
  return (await response.json()) as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The path of a submission's download, as a plain link's `href`. */
export function downloadHref(id: string, format: "md" | "json"): string {
  return `${BASE}/submissions/${encodeURIComponent(id)}/download?format=${format}`;
}
