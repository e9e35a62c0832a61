import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueueStats } from "../queue/in-process-queue.js";

export type HealthSource = {
  version: string;
  queue: () => QueueStats;
  /** Provider id → state ("ready" today; breaker states arrive with the provider chain). */
  providers: () => Record<string, string>;
};

/** `GET /healthz` → 200 `{status, version, queue: {pending, running}, providers}`. */
export function createHealthHandler(source: HealthSource) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/healthz") return false;
    const body = JSON.stringify({
      status: "ok",
      version: source.version,
      queue: source.queue(),
      providers: source.providers(),
    });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
    return true;
  };
}
