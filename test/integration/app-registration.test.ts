import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, get as httpGet, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import nock from "nock";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { readPrivateKey } from "../../src/config/private-key.js";
import {
  buildManifest,
  envQuoted,
  isLoopback,
  setEnvValues,
  siteUrlOf,
} from "../../src/server/app-manifest.js";
import { startSetupServer } from "../../src/server/setup-server.js";
import { startWebhookProxy } from "../../src/server/webhook-proxy.js";

const appYml = parseYaml(readFileSync("app.yml", "utf8")) as Record<string, unknown>;
const log = pino({ level: "silent" });
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  nock.disableNetConnect();
});

const TOKEN = "setup-token-0123456789abcdef";

async function setup(
  options: {
    proxyUrl?: string;
    createChannel?: () => Promise<string>;
    write?: (text: string) => Promise<void>;
  } = {},
) {
  nock.enableNetConnect("127.0.0.1");
  let envText = "# Critic's settings\nPORT=3000\n# GITHUB_CLIENT_ID=\n";
  const server = await startSetupServer({
    host: "127.0.0.1",
    port: 0,
    log,
    appYml,
    github: { webUrl: "https://github.com", apiBaseUrl: "https://api.github.com", org: undefined },
    proxyUrl: options.proxyUrl,
    createChannel: options.createChannel,
    envFile: {
      path: "/srv/critic/.env",
      read: async () => envText,
      write:
        options.write ??
        (async (text) => {
          envText = text;
        }),
    },
    setupToken: TOKEN,
  });
  stops.push(() => server.stop());
  const base = `http://127.0.0.1:${server.port}`;
  // The operator's browser: it opened the secret link and holds the cookie it set.
  const opened = await fetch(`${base}/?setup=${TOKEN}`, { redirect: "manual" });
  expect(opened.status).toBe(303);
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  expect(opened.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);
  const page = async (host?: string) => {
    // fetch cannot set Host; a browser reaching the server by another name sends it.
    const { response, html } = host
      ? await getWithHost(`${base}/probot`, host, cookie)
      : await (async () => {
          const r = await fetch(`${base}/probot`, { headers: { cookie } });
          return { response: { status: r.status, headers: r.headers }, html: await r.text() };
        })();
    const action = /<form action="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const manifest = JSON.parse(
      (/name="manifest" value="([^"]+)"/.exec(html)?.[1] ?? "{}")
        .replaceAll("&quot;", '"')
        .replaceAll("&#39;", "'")
        .replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">")
        .replaceAll("&amp;", "&"),
    ) as { hook_attributes: { url: string }; redirect_url: string; callback_urls: string[] };
    return { response, html, action, manifest, state: new URL(action).searchParams.get("state") };
  };
  return { base, page, cookie, env: () => envText };
}

function getWithHost(url: string, host: string, cookie: string) {
  return new Promise<{ response: { status: number; headers: Headers }; html: string }>(
    (resolve, reject) => {
      httpGet(url, { headers: { host, cookie } }, (res) => {
        let html = "";
        res.on("data", (c: Buffer) => {
          html += c.toString("utf8");
        });
        res.on("end", () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === "string") headers.set(k, v);
          resolve({ response: { status: res.statusCode ?? 0, headers }, html });
        });
      }).on("error", reject);
    },
  );
}

describe("registering the GitHub App (setup mode)", () => {
  it("builds a manifest whose webhook is /api/github/webhooks on the address the page was opened at", async () => {
    const { page } = await setup();
    const { response, action, manifest } = await page("critic.example.com:8080");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(action).toMatch(/^https:\/\/github\.com\/settings\/apps\/new\?state=[0-9a-f]{32}$/);
    expect(manifest.hook_attributes.url).toBe("http://critic.example.com:8080/api/github/webhooks");
    expect(manifest.redirect_url).toBe("http://critic.example.com:8080/probot/setup");
    expect(manifest.callback_urls).toEqual([
      "http://critic.example.com:8080/console/auth/callback",
    ]);
    // The permissions and events are app.yml's.
    expect(manifest).toMatchObject({
      name: appYml.name,
      default_events: appYml.default_events,
      default_permissions: appYml.default_permissions,
    });
  });

  it("points the webhook at a proxy channel it makes when the page is opened on this machine", async () => {
    const { page } = await setup({ createChannel: async () => "https://smee.io/abc123" });
    const { html, manifest } = await page();

    expect(manifest.hook_attributes.url).toBe("https://smee.io/abc123");
    expect(html).toContain("forwards to <code>/api/github/webhooks</code>");
  });

  it("exchanges GitHub's code for credentials, writes them to .env as a key Critic reads back, and sends the browser to install the App", async () => {
    const { base, page, cookie, env } = await setup({ proxyUrl: "https://smee.io/chan" });
    const { state } = await page();
    nock("https://api.github.com").post("/app-manifests/c0de/conversions").reply(201, {
      id: 4242,
      slug: "critic-acme",
      pem,
      webhook_secret: "whsec",
      client_id: "Iv1.abc",
      client_secret: "cs-secret",
      html_url: "https://github.com/apps/critic-acme",
    });

    const response = await fetch(`${base}/probot/setup?code=c0de&state=${state}`, {
      redirect: "manual",
      headers: { cookie },
    });

    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      "https://github.com/apps/critic-acme/installations/new",
    );
    const written = parseEnv(env());
    expect(written).toMatchObject({
      PORT: "3000",
      APP_ID: "4242",
      WEBHOOK_SECRET: "whsec",
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "cs-secret",
      WEBHOOK_PROXY_URL: "https://smee.io/chan",
    });
    // Comments stay; the commented-out key became the real one.
    expect(env()).toContain("# Critic's settings\n");
    expect(env()).not.toContain("# GITHUB_CLIENT_ID=");
    expect(readPrivateKey({ PRIVATE_KEY: written.PRIVATE_KEY })).toMatchObject({ ok: true });
    // The line as docker --env-file passes it on (quotes and \n kept) reads back too.
    const line =
      env()
        .split("\n")
        .find((l) => l.startsWith("PRIVATE_KEY=")) ?? "";
    expect(readPrivateKey({ PRIVATE_KEY: line.slice("PRIVATE_KEY=".length) })).toMatchObject({
      ok: true,
    });

    // One App per setup: a second registration is refused, and the page says to restart.
    const again = await fetch(`${base}/probot/setup?code=c0de2&state=${state}`, {
      headers: { cookie },
    });
    expect(again.status).toBe(409);
    expect(await (await fetch(`${base}/`, { headers: { cookie } })).text()).toContain(
      "Restart Critic",
    );
  });

  it("refuses the page and the callback to a browser without the secret link", async () => {
    const { base, page } = await setup();
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/probot?setup=wrong-token-0123456789ab`)).status).toBe(403);
    // Someone else's browser, holding a state the page issued to the operator.
    const { state } = await page();
    const stranger = await fetch(`${base}/probot/setup?code=c0de&state=${state}`);
    expect(stranger.status).toBe(403);
  });

  it("shows the credentials to copy when .env cannot be written, instead of losing them", async () => {
    const { base, page, cookie } = await setup({
      write: async () => {
        throw new Error("EACCES: permission denied, open '/srv/critic/.env'");
      },
    });
    const { state } = await page();
    nock("https://api.github.com").post("/app-manifests/c0de/conversions").reply(201, {
      id: 7,
      pem,
      webhook_secret: "whsec",
      client_id: "Iv1.abc",
      client_secret: "cs-secret",
      html_url: "https://github.com/apps/critic-x",
    });
    const response = await fetch(`${base}/probot/setup?code=c0de&state=${state}`, {
      headers: { cookie },
    });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain("could not write /srv/critic/.env");
    expect(html).toContain("APP_ID=7");
    expect(html).toContain("GITHUB_CLIENT_SECRET=cs-secret");
    expect(html).toContain('href="https://github.com/apps/critic-x/installations/new"');
  });

  it("refuses an answer whose values would add lines to .env", async () => {
    const { base, page, cookie, env } = await setup();
    const { state } = await page();
    nock("https://api.github.com").post("/app-manifests/c0de/conversions").reply(201, {
      id: 8,
      pem,
      webhook_secret: "whsec",
      client_id: "Iv1.abc",
      client_secret: "abc\nOPENAI_BASE_URL=http://evil.example",
      html_url: "https://github.com/apps/critic-x",
    });
    const response = await fetch(`${base}/probot/setup?code=c0de&state=${state}`, {
      headers: { cookie },
    });
    expect(response.status).toBe(502);
    expect(env()).not.toContain("evil");
  });

  it("refuses a code that did not come back from its own page, and says so when GitHub refuses one", async () => {
    const { base, page, cookie } = await setup();
    const forged = await fetch(`${base}/probot/setup?code=c0de&state=not-ours`, {
      headers: { cookie },
    });
    expect(forged.status).toBe(400);

    const { state } = await page();
    nock("https://api.github.com").post("/app-manifests/stale/conversions").reply(404, {});
    const stale = await fetch(`${base}/probot/setup?code=stale&state=${state}`, {
      headers: { cookie },
    });
    expect(stale.status).toBe(502);
    expect(await stale.text()).toMatch(/register again/);
  });
});

describe("app manifest helpers", () => {
  it("ignores a hostile Host header", () => {
    for (const host of ['evil"><script>', "a b", "x".repeat(300), "host/path"])
      expect(siteUrlOf({ host }, "http://localhost:3000")).toBe("http://localhost:3000");
    expect(siteUrlOf({ host: "ci.example.com", "x-forwarded-proto": "https" }, "x")).toBe(
      "https://ci.example.com",
    );
  });

  it("knows the addresses GitHub cannot deliver to", () => {
    for (const url of [
      "http://localhost:3000",
      "http://localhost.:3000",
      "http://app.localhost",
      "http://127.0.0.2:8080",
      "http://0.0.0.0:3000",
      "http://[::1]:3000",
    ])
      expect(isLoopback(url), url).toBe(true);
    for (const url of [
      "https://critic.example.com",
      "http://10.0.0.5:3000",
      "http://localhostx.io",
    ])
      expect(isLoopback(url), url).toBe(false);
  });

  it("lets no app.yml value redirect the webhook elsewhere", () => {
    const manifest = buildManifest(
      { ...appYml, hook_attributes: { url: "https://elsewhere.example/" } },
      { baseUrl: "https://critic.example.com" },
    );
    expect(manifest.hook_attributes).toEqual({
      url: "https://critic.example.com/api/github/webhooks",
      active: true,
    });
  });

  it("sets .env values in place and appends new ones", () => {
    expect(setEnvValues("A=1\n# B=\nC=3\n", { B: "2", D: "4" })).toBe("A=1\nB=2\nC=3\nD=4\n");
    expect(setEnvValues("", { A: "1" })).toBe("A=1\n");
  });

  it("replaces a multi-line quoted value whole, and the real assignment over a commented one", () => {
    const before = [
      "# WEBHOOK_SECRET=placeholder",
      "WEBHOOK_SECRET=development",
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----',
      "abc",
      '-----END RSA PRIVATE KEY-----"',
      "OPENAI_API_KEY=sk-kept",
    ].join("\n");
    const after = setEnvValues(before, { WEBHOOK_SECRET: "new", PRIVATE_KEY: envQuoted(pem) });
    expect(parseEnv(after)).toEqual({
      WEBHOOK_SECRET: "new",
      PRIVATE_KEY: pem.trim(),
      OPENAI_API_KEY: "sk-kept",
    });
    expect(after).toContain("# WEBHOOK_SECRET=placeholder\n");
  });

  it("refuses a value that would add a line", () => {
    expect(() => setEnvValues("", { A: "x\nB=y" })).toThrow(/single-line/);
  });
});

describe("webhook proxy (WEBHOOK_PROXY_URL)", () => {
  it("forwards a delivery from the channel to the webhook path with GitHub's headers and body", async () => {
    nock.enableNetConnect("127.0.0.1");
    const received: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
    const target = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString("utf8");
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    // A channel as smee.io serves it: server-sent events, one delivery per message.
    const channel = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(
        `data: ${JSON.stringify({
          "x-github-event": "ping",
          "x-github-delivery": "d-1",
          "x-hub-signature-256": "sha256=abc",
          host: "smee.io",
          body: { zen: "Keep it logically awesome.\u001b[0m", hook_id: 1 },
        })}\n\n`,
      );
    });
    for (const s of [target, channel]) {
      await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
      stops.push(() => {
        s.closeAllConnections();
        return new Promise((resolve) => s.close(() => resolve()));
      });
    }
    const port = (s: typeof target) => (s.address() as { port: number }).port;
    const proxy = await startWebhookProxy({
      source: `http://127.0.0.1:${port(channel)}/chan`,
      target: `http://127.0.0.1:${port(target)}/api/github/webhooks`,
      log,
    });
    stops.unshift(() => proxy.stop());

    await expect.poll(() => received.length).toBe(1);
    expect(received[0]?.headers).toMatchObject({
      "x-github-event": "ping",
      "x-github-delivery": "d-1",
      "x-hub-signature-256": "sha256=abc",
      "content-type": "application/json",
    });
    // GitHub escapes control characters in upper case; the forwarded bytes must be GitHub's.
    expect(received[0]?.body).toBe('{"zen":"Keep it logically awesome.\\u001B[0m","hook_id":1}');
  });

  it("does not stop the server when the channel cannot be reached", async () => {
    nock.enableNetConnect("127.0.0.1");
    const warnings: string[] = [];
    const proxy = await startWebhookProxy({
      source: "http://127.0.0.1:9/unreachable",
      target: "http://127.0.0.1:9/api/github/webhooks",
      log: {
        info: () => {},
        warn: (_o: unknown, message?: string) => warnings.push(message ?? ""),
      } as never,
    });
    stops.push(() => proxy.stop());
    await expect
      .poll(() => warnings.some((w) => /cannot reach the webhook proxy channel/.test(w)))
      .toBe(true);
  });
});

describe("start-up without the App's key", () => {
  it("stops with a message when APP_ID is set but no key is, instead of serving the registration page", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "critic-nokey-"));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          // tsx from this checkout: the process runs in an empty folder (no .env, no *.pem).
          "--import",
          pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
          fileURLToPath(new URL("../../src/bin/start.ts", import.meta.url)),
        ],
        {
          cwd,
          env: { PATH: process.env.PATH ?? "", APP_ID: "123", PORT: "0", LOG_LEVEL: "error" },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr?.on("data", (c: Buffer) => {
        stderr += c.toString("utf8");
      });
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("APP_ID is set but the App's private key is not");
  });
});
