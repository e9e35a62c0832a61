import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { z } from "zod";
import { accessLog } from "./access-log.js";
import {
  buildManifest,
  envQuoted,
  isLoopback,
  setEnvValues,
  siteUrlOf,
  WEBHOOK_PATH,
} from "./app-manifest.js";
import type { RunningServer } from "./start-server.js";

export type SetupOptions = {
  host: string;
  port: number;
  log: Logger;
  /** app.yml, parsed: name, permissions, events. */
  appYml: Readonly<Record<string, unknown>>;
  github: { webUrl: string; apiBaseUrl: string; org: string | undefined };
  /** A webhook proxy channel the operator set (WEBHOOK_PROXY_URL). */
  proxyUrl: string | undefined;
  /** Makes a new proxy channel, for a page reached on this machine only (GitHub cannot call it). */
  createChannel?: (() => Promise<string>) | undefined;
  /** Reads and writes the `.env` file the credentials go to; `path` is shown to the operator. */
  envFile: { path: string; read(): Promise<string>; write(text: string): Promise<void> };
  /** The secret token that opens the page (printed in the log at start); random by default. */
  setupToken?: string | undefined;
  fetch?: typeof fetch;
  /** Handlers tried before the setup routes (the HTTP API, which needs no App for single files). */
  handlers?: ReadonlyArray<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>>;
};

// Values that go into .env bare must be one plain word: nothing GitHub (or something answering
// in its place) sends may add a line of its own.
const word = z.string().regex(/^[\w.-]{1,200}$/);
const Conversion = z.object({
  id: z.number().int().positive(),
  pem: z.string().min(1).max(10_000).includes("PRIVATE KEY-----"),
  webhook_secret: word.nullable(),
  client_id: word,
  client_secret: word,
  html_url: z
    .string()
    .url()
    .regex(/^https?:\/\//),
});

const SETUP_COOKIE = "critic_setup";

// States the page handed out, so a code only counts on the way back from our own form.
const MAX_STATES = 100;

/**
 * Setup mode (no App registered yet): a page that registers one from the manifest, and the
 * callback that turns GitHub's code into credentials in `.env`.
 * - `GET /?setup=<token>`: the secret link printed in the log; it sets an HttpOnly cookie and
 *   leads to the page. Without the token or the cookie the page is refused: whoever reaches a
 *   server in setup mode must not register an App of their own in its place.
 * - `GET /` and `GET /probot` (with the cookie): the page, whose form posts the manifest to GitHub;
 * - `GET /probot/setup?code&state` (with the cookie and a state this page issued): exchanges the
 *   code, writes `APP_ID`, `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GITHUB_CLIENT_ID`,
 *   `GITHUB_CLIENT_SECRET` (and `WEBHOOK_PROXY_URL`), then sends the browser to install the App.
 *   Once one App is registered, no other is; if `.env` cannot be written, the page shows its
 *   lines for the operator to copy (the code cannot be exchanged twice);
 * - `GET /healthz`: 200 `{"status":"setup"}`.
 */
export function createSetupHandler(options: SetupOptions) {
  const token = options.setupToken ?? randomBytes(16).toString("hex");
  const states = new Set<string>();
  let channel: Promise<string | undefined> | undefined;
  let registered = false;
  const doFetch = options.fetch ?? fetch;

  const proxyFor = (siteUrl: string): Promise<string | undefined> => {
    if (options.proxyUrl) return Promise.resolve(options.proxyUrl);
    if (!options.createChannel || !isLoopback(siteUrl)) return Promise.resolve(undefined);
    channel ??= options.createChannel().catch((error: unknown) => {
      options.log.warn(
        { why: error instanceof Error ? error.message.slice(0, 200) : "unknown" },
        "could not create a webhook proxy channel; GitHub cannot reach this machine without one",
      );
      // Tried again on the next visit.
      channel = undefined;
      return undefined;
    });
    return channel;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://setup.invalid");
    const site = siteUrlOf(req.headers, `http://localhost:${options.port}`);
    if (req.method !== "GET") return send(res, 405, "text/plain", "Method not allowed");
    if (url.pathname === "/healthz")
      return send(res, 200, "application/json", JSON.stringify({ status: "setup" }));
    const opened = url.searchParams.get("setup");
    if ((url.pathname === "/" || url.pathname === "/probot") && opened !== null) {
      if (!same(opened, token)) return refuse(res);
      res
        .writeHead(303, {
          location: "/probot",
          "set-cookie": `${SETUP_COOKIE}=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=3600`,
        })
        .end();
      return;
    }
    if (!same(cookieOf(req, SETUP_COOKIE) ?? "", token)) return refuse(res);
    if (url.pathname === "/" || url.pathname === "/probot") {
      if (registered) return send(res, 200, "text/html; charset=utf-8", donePage());
      const proxyUrl = await proxyFor(site);
      const state = randomBytes(16).toString("hex");
      states.add(state);
      if (states.size > MAX_STATES) states.delete(states.values().next().value as string);
      const manifest = buildManifest(options.appYml, { baseUrl: site, proxyUrl });
      const base = options.github.org
        ? `${options.github.webUrl}/organizations/${encodeURIComponent(options.github.org)}/settings/apps/new`
        : `${options.github.webUrl}/settings/apps/new`;
      return send(
        res,
        200,
        "text/html; charset=utf-8",
        setupPage({ action: `${base}?state=${state}`, manifest, site, proxyUrl }),
      );
    }
    if (url.pathname === "/probot/setup") {
      const code = url.searchParams.get("code") ?? "";
      const state = url.searchParams.get("state") ?? "";
      if (registered)
        return send(res, 409, "text/plain", "An App is registered already: restart Critic.");
      if (!/^[A-Za-z0-9_-]{1,100}$/.test(code) || !states.delete(state))
        return send(
          res,
          400,
          "text/plain",
          "This registration link is not one this server started. Open the setup page again.",
        );
      let conversion: z.infer<typeof Conversion>;
      try {
        const answer = await doFetch(
          `${options.github.apiBaseUrl}/app-manifests/${code}/conversions`,
          { method: "POST", headers: { accept: "application/vnd.github+json" } },
        );
        if (!answer.ok) throw new Error(`GitHub answered ${answer.status}`);
        conversion = Conversion.parse(await answer.json());
      } catch (error) {
        options.log.warn(
          { why: error instanceof Error ? error.message.slice(0, 200) : "unknown" },
          "the App registration could not be completed",
        );
        return send(
          res,
          502,
          "text/plain",
          "GitHub did not complete the registration (the code may have expired). Open the setup page and register again.",
        );
      }
      registered = true;
      const proxyUrl = await proxyFor(site);
      const values: Record<string, string> = {
        APP_ID: String(conversion.id),
        PRIVATE_KEY: envQuoted(conversion.pem),
        ...(conversion.webhook_secret ? { WEBHOOK_SECRET: conversion.webhook_secret } : {}),
        GITHUB_CLIENT_ID: conversion.client_id,
        GITHUB_CLIENT_SECRET: conversion.client_secret,
        ...(proxyUrl ? { WEBHOOK_PROXY_URL: proxyUrl } : {}),
      };
      const install = `${conversion.html_url}/installations/new`;
      try {
        await options.envFile.write(setEnvValues(await options.envFile.read(), values));
      } catch (error) {
        // The code is spent: the credentials exist only in this answer now. The operator's
        // browser (it holds the setup cookie) gets them to copy, rather than losing them.
        options.log.warn(
          {
            path: options.envFile.path,
            why: error instanceof Error ? error.message.slice(0, 200) : "unknown",
          },
          "the App is registered but .env could not be written: its lines are on the page",
        );
        return send(
          res,
          200,
          "text/html; charset=utf-8",
          copyPage({ path: options.envFile.path, values, install }),
        );
      }
      options.log.info(
        { appId: conversion.id, path: options.envFile.path },
        "App registered and its credentials written to .env: restart Critic to start reviewing",
      );
      res.writeHead(302, { location: install }).end();
      return;
    }
    return send(res, 404, "text/plain", "Not found");
  };
  return Object.assign(handle, { token });
}

function refuse(res: ServerResponse): void {
  send(
    res,
    403,
    "text/plain",
    "Open the setup link Critic printed in its log when it started (it carries a secret token).",
  );
}

/** Compares in constant time: the token is a password for the setup page. */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** Serves the setup handler until the App is registered (then Critic is restarted). */
export async function startSetupServer(options: SetupOptions): Promise<RunningServer> {
  const setup = createSetupHandler(options);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for (const handler of options.handlers ?? []) if (await handler(req, res)) return;
    await setup(req, res);
  };
  const httpLog = options.log.child({ name: "http" });
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once("finish", () => accessLog(httpLog, req, res, performance.now() - started));
    handle(req, res).catch((error: unknown) => {
      options.log.error({ err: error }, "setup request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const shown = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  options.log.info(
    `No GitHub App yet: open http://${shown}:${port}/?setup=${setup.token} to register one (keep the link to yourself: it opens the registration page)`,
  );
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res
    .writeHead(status, {
      "content-type": type,
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action https: http:",
      "x-frame-options": "DENY",
    })
    .end(body);
}

function donePage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Critic is registered</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Critic is registered</h1><p>Its credentials are in <code>.env</code>. Restart Critic to start reviewing.</p></body></html>
`;
}

function copyPage(input: {
  path: string;
  values: Record<string, string>;
  install: string;
}): string {
  const lines = Object.entries(input.values)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Copy Critic's credentials</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem">
<h1>The App is registered, but Critic could not write ${escapeHtml(input.path)}</h1>
<p>Copy these lines into the <code>.env</code> Critic starts with (they are shown once, here only), then <a href="${escapeHtml(input.install)}">install the App</a> and restart Critic.</p>
<pre style="white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:1rem">${escapeHtml(lines)}</pre></body></html>
`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

function setupPage(input: {
  action: string;
  manifest: Record<string, unknown>;
  site: string;
  proxyUrl: string | undefined;
}): string {
  const hook = input.proxyUrl
    ? `GitHub will deliver webhooks to the proxy channel <code>${escapeHtml(input.proxyUrl)}</code>, which Critic forwards to <code>${escapeHtml(WEBHOOK_PATH)}</code> on this machine.`
    : `GitHub will deliver webhooks to <code>${escapeHtml(`${input.site}${WEBHOOK_PATH}`)}</code>.${isLoopback(input.site) ? " GitHub cannot reach this machine at that address: set WEBHOOK_PROXY_URL to a smee.io channel, or open this page at the address GitHub can reach." : ""}`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Register Critic</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}</style></head>
<body>
<h1>Register Critic as a GitHub App</h1>
<p>No GitHub App is configured yet. The button below registers one on GitHub with the permissions and events Critic needs, then brings you back here: Critic writes the App's credentials to <code>.env</code> and sends you on to install it.</p>
<p>${hook}</p>
<form action="${escapeHtml(input.action)}" method="post">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(input.manifest))}">
<button type="submit">Register the GitHub App</button>
</form>
<p>Then restart Critic so it starts with the new credentials.</p>
</body></html>
`;
}
