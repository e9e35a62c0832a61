import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { z } from "zod";
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
  /** Reads and writes the `.env` file the credentials go to. */
  envFile: { read(): Promise<string>; write(text: string): Promise<void> };
  fetch?: typeof fetch;
  /** Handlers tried before the setup routes (the HTTP API, which needs no App for single files). */
  handlers?: ReadonlyArray<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>>;
};

const Conversion = z.object({
  id: z.number().int().positive(),
  pem: z.string().min(1),
  webhook_secret: z.string().min(1).nullable(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  html_url: z.string().url(),
});

// States the page handed out, so a code only counts on the way back from our own form.
const MAX_STATES = 100;

/**
 * Setup mode (no App registered yet): a page that registers one from the manifest, and the
 * callback that turns GitHub's code into credentials in `.env`.
 * - `GET /` and `GET /probot`: the page, whose form posts the manifest to GitHub;
 * - `GET /probot/setup?code&state`: exchanges the code, writes `APP_ID`, `PRIVATE_KEY`,
 *   `WEBHOOK_SECRET`, `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET` (and `WEBHOOK_PROXY_URL`), then
 *   sends the browser to install the App;
 * - `GET /healthz`: 200 `{"status":"setup"}`.
 */
export function createSetupHandler(options: SetupOptions) {
  const states = new Set<string>();
  let channel: Promise<string | undefined> | undefined;
  const doFetch = options.fetch ?? fetch;

  const proxyFor = (siteUrl: string): Promise<string | undefined> => {
    if (options.proxyUrl) return Promise.resolve(options.proxyUrl);
    if (!options.createChannel || !isLoopback(siteUrl)) return Promise.resolve(undefined);
    channel ??= options.createChannel().catch((error: unknown) => {
      options.log.warn(
        { err: error },
        "could not create a webhook proxy channel; GitHub cannot reach this machine without one",
      );
      return undefined;
    });
    return channel;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://setup.invalid");
    const site = siteUrlOf(req.headers, `http://localhost:${options.port}`);
    if (req.method !== "GET") return send(res, 405, "text/plain", "Method not allowed");
    if (url.pathname === "/healthz")
      return send(res, 200, "application/json", JSON.stringify({ status: "setup" }));
    if (url.pathname === "/" || url.pathname === "/probot") {
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
      const proxyUrl = await proxyFor(site);
      const values: Record<string, string> = {
        APP_ID: String(conversion.id),
        PRIVATE_KEY: envQuoted(conversion.pem),
        ...(conversion.webhook_secret ? { WEBHOOK_SECRET: conversion.webhook_secret } : {}),
        GITHUB_CLIENT_ID: conversion.client_id,
        GITHUB_CLIENT_SECRET: conversion.client_secret,
        ...(proxyUrl ? { WEBHOOK_PROXY_URL: proxyUrl } : {}),
      };
      await options.envFile.write(setEnvValues(await options.envFile.read(), values));
      options.log.info(
        { appId: conversion.id },
        "App registered and its credentials written to .env: restart Critic to start reviewing",
      );
      res.writeHead(302, { location: `${conversion.html_url}/installations/new` }).end();
      return;
    }
    return send(res, 404, "text/plain", "Not found");
  };
}

/** Serves the setup handler until the App is registered (then Critic is restarted). */
export async function startSetupServer(options: SetupOptions): Promise<RunningServer> {
  const setup = createSetupHandler(options);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    for (const handler of options.handlers ?? []) if (await handler(req, res)) return;
    await setup(req, res);
  };
  const server = createServer((req, res) => {
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
  options.log.info(
    `No GitHub App yet: open http://${options.host === "0.0.0.0" ? "localhost" : options.host}:${port} to register one`,
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
