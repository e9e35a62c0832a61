import type { IncomingMessage, ServerResponse } from "node:http";
import type { BreakerState } from "../resilience/circuit-breaker.js";

export type Health = {
  /** `degraded`: a dependency is down (`reason` says which); the answer is then 503. */
  status: "ok" | "degraded";
  reason?: string | undefined;
  version: string;
  queue: { pending: number; running: number };
  /** Provider id → circuit breaker state. */
  providers: Record<string, BreakerState>;
};

/** `GET /healthz` → 200 `{status, version, queue: {pending, running}, providers}`; 503 when degraded. */
export function createHealthHandler(health: () => Health | Promise<Health>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/healthz") return false;
    const body = await health();
    res
      .writeHead(body.status === "ok" ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify(body));
    return true;
  };
}
