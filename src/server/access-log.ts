import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** One line per request: method, path without its query, status and time; no header, no body. */
export function accessLog(
  log: Pick<Logger, "info">,
  req: IncomingMessage,
  res: ServerResponse,
  ms: number,
): void {
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
