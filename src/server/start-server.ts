import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import type { Logger } from "pino";
import { type ApplicationFunction, createNodeMiddleware, type Probot } from "probot";
import { accessLog } from "./access-log.js";
import { type ByteBudget, createByteBudget } from "./byte-budget.js";

/**
 * GitHub's own cap: "Payloads are capped at 25 MB" (a larger event is not delivered at all).
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap
 */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
// A delivery that takes longer than this to arrive is not GitHub's (it answers in seconds).
const BODY_TIMEOUT_MS = 30_000;
// Webhook bodies held in memory at once, before their signatures are checked: two and a half of
// GitHub's largest. Most deliveries are a few KB; past this, a delivery is refused with 503 until
// others are done (GitHub shows it as failed, for redelivery), rather than the process growing
// by 25 MB per connection an unsigned sender holds open.
export const WEBHOOK_BODIES_BYTES = 64 * 1024 * 1024;

export type RunningServer = {
  /** The port it listens on (the one asked for, or the one the system gave for 0). */
  port: number;
  /** Stops taking requests; resolves when open connections have ended. */
  stop(): Promise<void>;
  /** Bytes of webhook bodies being received now (the shared budget's use). */
  webhookBytesHeld?: () => number;
};

/**
 * Critic's own HTTP server: Node's `http` in front of Probot's middleware, so the request path
 * is Critic's to shape (Probot's `run()` reads a webhook body before anything else can look at
 * it). Routes, in order: the app's handlers (`/healthz`, `/metrics`, `/api`), the webhooks at
 * `/api/github/webhooks`, then 404. One access log line per request: method, path without its
 * query, status and time. No header and no body is ever logged.
 */
export async function startServer(options: {
  probot: Probot;
  app: ApplicationFunction;
  host: string;
  port: number;
  log: Logger;
  /** The webhook secret deliveries are signed with. */
  secret: string;
  /** Bytes of webhook bodies held at once (default WEBHOOK_BODIES_BYTES); for tests. */
  webhookBodiesBytes?: number;
  /** How long a webhook body may take to arrive (default 30 s); for tests. */
  bodyTimeoutMs?: number;
}): Promise<RunningServer> {
  const handle = await createNodeMiddleware(options.app, { probot: options.probot });
  const bodies = createByteBudget(options.webhookBodiesBytes ?? WEBHOOK_BODIES_BYTES);
  const limits = {
    bodies,
    timeoutMs: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS,
    busy: { lastLoggedAt: Number.NEGATIVE_INFINITY, since: 0 },
  };
  const log = options.log.child({ name: "http" });
  const webhookPath = normalisePath(options.probot.webhookPath);
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once("finish", () => accessLog(log, req, res, performance.now() - started));
    void (async () => {
      const path = normalisePath(req.url ?? "/");
      // A delivery is read (at most GitHub's cap) and its signature checked before Probot sees it:
      // an unsigned or oversized body costs a few bytes of memory and one short log line.
      if (req.method === "POST" && path === webhookPath) {
        const accepted = await acceptDelivery(req, res, options.secret, log, limits);
        if (!accepted) return;
      }
      await handle(req, res, () => {
        if (!res.headersSent) res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      });
    })().catch((error: unknown) => {
      log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  log.info({ host: options.host, port }, "listening");
  return {
    port,
    webhookBytesHeld: () => bodies.held(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * Reads a webhook delivery's body within GitHub's cap and checks its signature. Refused: 413 for a
 * body over the cap (before it is read, when its length is declared), 503 while other bodies hold
 * the shared budget, 408 for one that does not arrive in time, 400 for a wrong or missing
 * signature. Accepted: the body is left on the request for Probot, which then does not read the
 * stream again.
 */
async function acceptDelivery(
  req: IncomingMessage,
  res: ServerResponse,
  secret: string,
  log: Logger,
  limits: {
    bodies: ByteBudget;
    timeoutMs: number;
    /** When the last "too many at once" warning was written, and refusals since. */
    busy: { lastLoggedAt: number; since: number };
  },
): Promise<boolean> {
  const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
    if (!res.headersSent)
      res
        .writeHead(status, { "content-type": "application/json", connection: "close", ...headers })
        .end(JSON.stringify({ error }));
    req.destroy();
    return false;
  };
  const busy = () => {
    // One warning a minute at most, with the count: a flood of senders is one line, not many.
    limits.busy.since++;
    const now = performance.now();
    if (now - limits.busy.lastLoggedAt >= 60_000) {
      log.warn(
        { refused: limits.busy.since, heldBytes: limits.bodies.held() },
        "webhooks refused with 503: too many webhook bodies are being received at once",
      );
      limits.busy = { lastLoggedAt: now, since: 0 };
    }
    return refuse(503, "too many deliveries are being received; try again", { "retry-after": "5" });
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BYTES)
    return refuse(413, "payload over GitHub's 25 MB cap");
  const chunks: Buffer[] = [];
  let size = 0;
  let taken = 0;
  // Taken as the bytes arrive (a declared length taken at once would let a few idle connections
  // hold the whole budget), and given back once the body is a string or dropped.
  // The answer is written before the socket is closed, so the sender learns why.
  const timer = setTimeout(() => refuse(408, "the body did not arrive in time"), limits.timeoutMs);
  let body: string;
  try {
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_WEBHOOK_BYTES) return refuse(413, "payload over GitHub's 25 MB cap");
        if (!limits.bodies.take((chunk as Buffer).length)) return busy();
        taken += (chunk as Buffer).length;
        chunks.push(chunk as Buffer);
      }
    } catch {
      return refuse(408, "the body did not arrive in time");
    } finally {
      clearTimeout(timer);
    }
    if (res.headersSent) return false;
    body = Buffer.concat(chunks).toString("utf8");
  } finally {
    chunks.length = 0;
    limits.bodies.give(taken);
  }
  const signature = req.headers["x-hub-signature-256"];
  const valid =
    typeof signature === "string" && (await verify(secret, body, signature).catch(() => false));
  if (!valid) {
    const delivery = req.headers["x-github-delivery"];
    log.warn(
      { delivery: typeof delivery === "string" ? delivery.slice(0, 64) : undefined, bytes: size },
      "webhook refused: its signature does not match WEBHOOK_SECRET",
    );
    return refuse(400, "signature does not match event payload and secret");
  }
  (req as IncomingMessage & { body?: string }).body = body;
  return true;
}

/**
 * A path as Probot's webhook middleware compares it (URL-resolved, trailing slashes dropped), so
 * no spelling of the webhook path reaches Probot without the checks above.
 */
function normalisePath(url: string): string {
  let path: string;
  try {
    path = new URL(url, "http://critic.local").pathname;
  } catch {
    return url;
  }
  return path.replace(/\/+$/, "") || "/";
}
