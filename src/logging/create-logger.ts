import { getTransformStream } from "@probot/pino";
import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "../config/env.js";
import type { Redactor } from "../security/redactor.js";

/**
 * Where credentials sit in what Critic and Probot log: request and response headers (the access
 * log, Octokit's request errors) and webhook payloads carried by errors. Removed by name, whatever
 * their value, so an API key configured only as a hash is caught too.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['proxy-authorization']",
  "req.headers['x-hub-signature']",
  "req.headers['x-hub-signature-256']",
  "res.headers['set-cookie']",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "*.headers['set-cookie']",
  "err.request.headers.authorization",
  "err.response.headers['set-cookie']",
  "req.body",
  "body",
  "payload",
  "*.payload",
];

// Fields of an error whose value is never logged, whatever its spelling's case: bodies, and
// headers and settings that carry credentials.
const SCRUBBED_KEYS =
  /^(?:payload|body|authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|x-hub-signature(?:-256)?|token|access[-_]?token|password|secret|client[-_]?secret|private[-_]?key)$/i;

// How deep an error's own fields are searched for payloads (AggregateError → errors → event).
const MAX_ERROR_DEPTH = 6;

/**
 * pino's error serializer, minus what an error may carry of a request: a webhook error holds the
 * whole payload (`event.payload`, in each of an AggregateError's errors too), an Octokit error
 * the request's headers. Those are replaced wherever they sit in the error.
 */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  const scrub = (value: unknown, depth: number): unknown => {
    if (depth > MAX_ERROR_DEPTH || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SCRUBBED_KEYS.test(key) ? "[REDACTED]" : scrub(v, depth + 1);
    }
    return out;
  };
  return scrub(serialized, 0);
}

export type LoggerOptions = {
  level: LogLevel;
  format: "json" | "pretty";
  /** Where lines go; standard output through Probot's formatter when absent. */
  destination?: DestinationStream | undefined;
};

/**
 * The one logger of a Critic process, handed to Probot too (its access log included). Every line,
 * at every level, loses credential fields by name and then every registered secret by value, just
 * before it is written.
 */
export async function createLogger(options: LoggerOptions, secrets: Redactor): Promise<Logger> {
  const destination =
    options.destination ??
    (await getTransformStream({ logFormat: options.format }).then((transform) => {
      // Probot's formatter is a Transform; sonic-boom's write options differ only in optional
      // fields, which exactOptionalPropertyTypes reads strictly.
      // Written in the background (libuv's pool), not by the main thread, which answers
      // webhooks; pino flushes what is buffered when the process exits.
      transform.pipe(
        pino.destination({ dest: 1, sync: false }) as unknown as NodeJS.WritableStream,
      );
      return transform;
    }));
  return pino(
    {
      name: "probot",
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
      serializers: { err: serializeError },
      hooks: { streamWrite: (line) => secrets.redact(line) },
    },
    destination,
  );
}
