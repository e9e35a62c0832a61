import type { IncomingMessage } from "node:http";

// A browser sends a few KB of cookies at most; anything longer is not read.
const MAX_COOKIE_HEADER = 8 * 1024;

/** The request's cookies by name (the first of a repeated name wins); bounded, never throws. */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = req.headers.cookie;
  if (typeof header !== "string" || header.length > MAX_COOKIE_HEADER) return cookies;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export type CookieOptions = {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  /** Sent over HTTPS only: set whenever the page was served over HTTPS. */
  secure: boolean;
};

/**
 * A `Set-Cookie` value for a session-like cookie: HttpOnly (no script reads it) and
 * SameSite=Lax (sent on the top-level navigation back from GitHub's sign-in, never on another
 * site's form posts or fetches).
 */
export function cookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}

/** Whether the browser reached us over HTTPS (directly, or through a proxy that says so). */
export function isHttps(req: IncomingMessage): boolean {
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const forwarded = String(req.headers["x-forwarded-proto"] ?? "").toLowerCase();
  return encrypted || forwarded.split(",")[0]?.trim() === "https";
}
