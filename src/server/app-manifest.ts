import { parseEnv } from "node:util";

/**
 * The GitHub App manifest the registration page submits, built here rather than by Probot:
 * Probot points the webhook at `<site>/`, where nothing listens, and an `app.yml` value replaces
 * its computed URL whole. Critic's webhooks live at `/api/github/webhooks` on the address people
 * reach the page from (or the webhook proxy's channel, which forwards there).
 * https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
 */
export function buildManifest(
  appYml: Readonly<Record<string, unknown>>,
  options: { baseUrl: string; proxyUrl?: string | undefined },
): Record<string, unknown> {
  const { hook_attributes: _ignored, redirect_url: _redirect, ...fromFile } = appYml;
  return {
    ...fromFile,
    hook_attributes: {
      url: options.proxyUrl ?? `${options.baseUrl}${WEBHOOK_PATH}`,
      active: true,
    },
    redirect_url: `${options.baseUrl}/probot/setup`,
    // Where GitHub sends people back after they sign in with the App (the console's sign-in).
    callback_urls: [`${options.baseUrl}${SIGN_IN_CALLBACK_PATH}`],
    request_oauth_on_install: false,
  };
}

export const WEBHOOK_PATH = "/api/github/webhooks";
export const SIGN_IN_CALLBACK_PATH = "/console/auth/callback";

/**
 * The address a browser used to reach this server, from its `Host` header (and the scheme a
 * proxy in front reports). Anything that is not a plain host[:port] falls back to `fallback`:
 * the value ends up in a page and in the manifest.
 */
export function siteUrlOf(
  headers: { host?: string | undefined; "x-forwarded-proto"?: string | string[] | undefined },
  fallback: string,
): string {
  const host = headers.host ?? "";
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/.test(host))
    return fallback;
  const forwarded = headers["x-forwarded-proto"];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

/** True for an address GitHub cannot deliver to: this machine only. */
export function isLoopback(siteUrl: string): boolean {
  const host = new URL(siteUrl).hostname.replace(/\.$/, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.startsWith("127.") ||
    host === "0.0.0.0" ||
    host === "[::1]" ||
    host === "[::]"
  );
}

/**
 * `.env` text with `values` set. Every assignment of a key already there is replaced (a quoted
 * value over several lines included), the first one in place; a key that is only there as a
 * commented-out placeholder (`# KEY=`) takes that line; new keys are appended. Other lines and
 * comments stay as they were. The result is parsed back (Node's own `.env` parser) and refused
 * unless it gives each new value and keeps every other key: a damaged file is never written.
 */
export function setEnvValues(text: string, values: Readonly<Record<string, string>>): string {
  for (const [key, value] of Object.entries(values))
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key) || /[\r\n]/.test(value))
      throw new Error(`[critic] refusing to write ${key.slice(0, 40)}: not a single-line value`);
  const lines = text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/);
  const out: Array<string | undefined> = [];
  const placed = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !(key in values)) {
      out.push(line);
      continue;
    }
    // A quoted value that does not close on its line runs on to the line that closes it.
    const rest = line.slice(line.indexOf("=") + 1).trimStart();
    const quote = rest[0];
    if ((quote === '"' || quote === "'" || quote === "`") && !closes(rest.slice(1), quote))
      while (i + 1 < lines.length) {
        i++;
        if (closes(lines[i] ?? "", quote)) break;
      }
    if (!placed.has(key)) out.push(`${key}=${values[key]}`);
    placed.add(key);
  }
  for (const [key, value] of Object.entries(values)) {
    if (placed.has(key)) continue;
    const at = out.findIndex((l) => l !== undefined && new RegExp(`^#\\s*${key}=`).test(l));
    if (at >= 0) out[at] = `${key}=${value}`;
    else out.push(`${key}=${value}`);
    placed.add(key);
  }
  const result = `${out.join("\n")}\n`;
  const before = parseEnv(text);
  const after = parseEnv(result);
  for (const [key, value] of Object.entries(values))
    if (after[key] !== unquotedEnvValue(value))
      throw new Error(`[critic] .env would not read back ${key} as written; it was left as it was`);
  for (const key of Object.keys(before))
    if (!(key in after)) throw new Error(`[critic] .env would lose ${key}; it was left as it was`);
  return result;
}

const closes = (text: string, quote: string) => text.trimEnd().endsWith(quote);

/** What Node's `.env` parser makes of a value written as `envQuoted` does (or left bare). */
function unquotedEnvValue(value: string): string {
  return value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replaceAll("\\n", "\n")
    : value;
}

/** A PEM key as one `.env` line: quoted, newlines written as `\n` (Critic reads both forms). */
export function envQuoted(value: string): string {
  return `"${value.trim().replaceAll("\r", "").replaceAll("\n", "\\n")}"`;
}
