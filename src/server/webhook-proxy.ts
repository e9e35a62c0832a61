import type { Logger } from "pino";
import type { SmeeClient } from "smee-client";

const RETRY_MS = 30_000;

// smee-client (with the undici it brings, about 18 MB) is loaded only when a channel is used.
const smee = async (): Promise<typeof SmeeClient> => (await import("smee-client")).SmeeClient;

/**
 * Forwards deliveries from a smee.io channel (`WEBHOOK_PROXY_URL`) to this server's webhook
 * path, for a machine GitHub cannot reach (a laptop). Deliveries arrive through the same path
 * as GitHub's own, so their signatures are checked all the same. A channel that cannot be
 * reached is retried every 30 s and said so once; it never stops the server.
 */
export async function startWebhookProxy(options: {
  source: string;
  target: string;
  log: Pick<Logger, "info" | "warn">;
}): Promise<{ stop(): Promise<void> }> {
  const Client = await smee();
  const describe = (args: unknown[]) =>
    args
      .map((a) => (a instanceof Error || isEventWithMessage(a) ? String(a.message) : String(a)))
      .join(" ")
      .slice(0, 300);
  const client = new Client({
    source: options.source,
    target: options.target,
    logger: {
      info: (...args: unknown[]) => options.log.info({ proxy: describe(args) }),
      error: (...args: unknown[]) => options.log.warn({ proxy: describe(args) }),
    },
    fetch: toTarget(options.target),
  });
  let stopped = false;
  let warned = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = () => {
    client.start().then(
      () =>
        options.log.info({ target: options.target }, "forwarding webhooks from the proxy channel"),
      (error: unknown) => {
        if (!warned)
          options.log.warn(
            { why: describe([error]) },
            "cannot reach the webhook proxy channel (WEBHOOK_PROXY_URL); trying again every 30 s",
          );
        warned = true;
        void client.stop().catch(() => undefined);
        if (!stopped) timer = setTimeout(connect, RETRY_MS).unref();
      },
    );
  };
  connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await client.stop().catch(() => undefined);
    },
  };
}

/** A new smee.io channel's URL (asks smee.io over the network). */
export const createProxyChannel = async (): Promise<string> => (await smee()).createChannel();

/**
 * The fetch smee-client forwards with. To this server it goes directly (no HTTP proxy from the
 * environment between a process and itself), with the body's `\u` escapes in upper case: smee
 * re-serializes the payload, JSON.stringify writes `\u001b` where GitHub wrote `\u001B`, and the
 * signature is over GitHub's bytes (Octokit's webhooks normalise the same way).
 */
function toTarget(target: string): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit & { dispatcher?: unknown }) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(target) || !init) return fetch(input, init);
    const { dispatcher: _viaProxy, ...rest } = init;
    const body =
      typeof rest.body === "string"
        ? rest.body.replace(
            /([^\\])\\u([\da-f]{4})/g,
            (_m, before: string, hex: string) => `${before}\\u${hex.toUpperCase()}`,
          )
        : rest.body;
    return fetch(input, body === undefined ? rest : { ...rest, body });
  }) as typeof fetch;
}

const isEventWithMessage = (value: unknown): value is { message: unknown } =>
  typeof value === "object" && value !== null && "message" in value;
