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
  const host = new URL(siteUrl).hostname;
  return host === "localhost" || host.startsWith("127.") || host === "[::1]";
}

/**
 * `.env` text with `values` set: an existing `KEY=` line (commented-out or not) is replaced in
 * place, so the file keeps its comments and order; new keys are appended.
 */
export function setEnvValues(text: string, values: Readonly<Record<string, string>>): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}=${value}`;
    const at = lines.findIndex((l) => new RegExp(`^#?\\s*${key}=`).test(l));
    if (at >= 0) lines[at] = line;
    else lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

/** A PEM key as one `.env` line: quoted, newlines written as `\n` (Critic reads both forms). */
export function envQuoted(value: string): string {
  return `"${value.trim().replaceAll("\r", "").replaceAll("\n", "\\n")}"`;
}
