import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { type ApplicationFunction, createNodeMiddleware, type Probot } from "probot";

export type RunningServer = {
  /** The port it listens on (the one asked for, or the one the system gave for 0). */
  port: number;
  /** Stops taking requests; resolves when open connections have ended. */
  stop(): Promise<void>;
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
}): Promise<RunningServer> {
  const handle = await createNodeMiddleware(options.app, { probot: options.probot });
  const log = options.log.child({ name: "http" });
  const server = createServer((req, res) => {
    const started = performance.now();
    res.once("finish", () => accessLog(log, req, res, performance.now() - started));
    void Promise.resolve(
      handle(req, res, () => {
        if (!res.headersSent) res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      }),
    ).catch((error: unknown) => {
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function accessLog(log: Logger, req: IncomingMessage, res: ServerResponse, ms: number): void {
  // A query can carry a token; a path of any length is cut to what names the route.
  const path = (req.url ?? "").split("?")[0]?.slice(0, 200);
  const delivery = req.headers["x-github-delivery"];
  log.info(
    {
      method: req.method,
      path,
      status: res.statusCode,
      ms: Math.round(ms),
      ...(typeof delivery === "string" ? { delivery: delivery.slice(0, 64) } : {}),
    },
    `${req.method} ${path} ${res.statusCode} - ${Math.round(ms)}ms`,
  );
}
