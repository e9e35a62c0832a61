import type { Redis } from "ioredis";

// Apart from the client (open-redis.ts), so the server's health check does not load ioredis and
// BullMQ (about 19 MB) where Redis is not used.

/** `host:port` of a Redis URL, without its credentials. */
export function hostOf(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || "6379"}`;
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/** Whether a connection is up; the reason when it is not, for /healthz. */
export function redisHealth(redis: Redis, url: string): string | undefined {
  return redis.status === "ready" ? undefined : `cannot reach Redis at ${hostOf(url)}`;
}

type ReportLog = {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
};

// Every failed reconnect of every connection is an error event (a worker has four connections,
// Probot's rate limiter one more, each retrying within 2 s): one line per interval per process
// says all there is to say.
export const REPORT_EVERY_MS = 30_000;

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** An error that says Redis cannot be reached (rather than a command Redis refused). */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  return /^(?:Connection is closed|connect ETIMEDOUT|Stream isn't writeable)/.test(error.message);
}

/** What the process has said of each host, shared by every connection to it. */
const said = new Map<string, { lastAt: number; down: boolean; other: Map<string, number> }>();

function stateOf(where: string) {
  let state = said.get(where);
  if (!state) {
    state = { lastAt: Number.NEGATIVE_INFINITY, down: false, other: new Map() };
    said.set(where, state);
  }
  return state;
}

/**
 * Reports an error of a Redis connection (ioredis, BullMQ, Probot's rate limiter): "cannot reach
 * Redis at host:port" once per interval for the whole process, whichever connection failed; any
 * other error once per interval per message. Never the URL: it can hold a password.
 */
export function reportRedisError(
  where: string,
  error: unknown,
  log: ReportLog | undefined,
  now = Date.now(),
): void {
  const state = stateOf(where);
  if (isUnreachable(error)) {
    state.down = true;
    if (now - state.lastAt < REPORT_EVERY_MS) return;
    state.lastAt = now;
    const code = (error as Error & { code?: unknown }).code;
    log?.warn({ redis: where, code }, `cannot reach Redis at ${where}`);
    return;
  }
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
  const last = state.other.get(message) ?? Number.NEGATIVE_INFINITY;
  if (now - last < REPORT_EVERY_MS) return;
  // Bounded: a flood of distinct messages forgets the oldest.
  if (state.other.size >= 100) state.other.clear();
  state.other.set(message, now);
  log?.warn({ redis: where, err: message }, "Redis error");
}

/** A connection to `where` is up: said once when the host was down, whichever connection is first. */
export function reportRedisReady(where: string, log: ReportLog | undefined): void {
  const state = stateOf(where);
  if (state.down) log?.info({ redis: where }, `Redis at ${where} is reachable again`);
  state.down = false;
  state.lastAt = Number.NEGATIVE_INFINITY;
}

/** Anything that emits Redis errors (a BullMQ queue or worker): reported, never thrown or printed. */
export function watchRedisErrors(
  emitter: { on(event: "error", listener: (error: Error) => void): unknown },
  where: string,
  log: ReportLog | undefined,
): void {
  emitter.on("error", (error) => reportRedisError(where, error, log));
}

type ChildLog = ReportLog & { error(...args: unknown[]): void; child(...args: unknown[]): unknown };

/**
 * Probot's GitHub rate limiter shares its state through Redis when `REDIS_URL` is set, on a
 * connection of its own whose every failed reconnect it logs at error level with a stack. The log
 * given to Probot folds those into the process's one line per interval; everything else passes.
 */
export function foldRedisErrors<L extends ChildLog>(log: L, where: string): L {
  const folded = Object.create(log) as L;
  folded.error = (first: unknown, ...rest: unknown[]) => {
    if (first instanceof Error && (first as Error & { source?: unknown }).source === "bottleneck")
      return reportRedisError(where, first, log);
    log.error(first, ...rest);
  };
  folded.child = (...args: unknown[]) => foldRedisErrors(log.child(...args) as L, where);
  return folded;
}

/**
 * Runs a Redis call when the connection is up, and gives up on it after `waitMs`: undefined then,
 * or on an error, for the caller to decide alone. Connections queue commands while Redis is down
 * (BullMQ needs that), so a request path that asks Redis must not wait for them.
 */
export async function askRedis<T>(
  redis: Redis,
  run: (redis: Redis) => Promise<T>,
  waitMs = 250,
): Promise<T | undefined> {
  if (redis.status !== "ready") return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  try {
    return await Promise.race([run(redis).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
