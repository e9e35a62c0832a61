import type { IncomingMessage, ServerResponse } from "node:http";
import type { BreakerState } from "../resilience/circuit-breaker.js";

export type Health = {
  status: "ok";
  version: string;
  queue: { pending: number; running: number };
  /** Provider id → circuit breaker state. */
  providers: Record<string, BreakerState>;
};

/** `GET /healthz` → 200 `{status, version, queue: {pending, running}, providers}`. */
export function createHealthHandler(health: () => Health | Promise<Health>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/healthz") return false;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(await health()));
    return true;
  };
}
