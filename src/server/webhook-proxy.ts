import type { Logger } from "pino";
import { SmeeClient } from "smee-client";

/**
 * Forwards deliveries from a smee.io channel (`WEBHOOK_PROXY_URL`) to this server's webhook
 * path, for a machine GitHub cannot reach (a laptop). Deliveries arrive through the same path
 * as GitHub's own, so their signatures are checked all the same.
 */
export async function startWebhookProxy(options: {
  source: string;
  target: string;
  log: Pick<Logger, "info" | "warn">;
}): Promise<{ stop(): Promise<void> }> {
  const client = new SmeeClient({
    source: options.source,
    target: options.target,
    logger: {
      info: (...args: unknown[]) => options.log.info({ proxy: args.map(String).join(" ") }),
      error: (...args: unknown[]) => options.log.warn({ proxy: args.map(String).join(" ") }),
    },
  });
  await client.start();
  options.log.info({ target: options.target }, "forwarding webhooks from the proxy channel");
  return { stop: () => client.stop() };
}

/** A new smee.io channel's URL (asks smee.io over the network). */
export const createProxyChannel = (): Promise<string> => SmeeClient.createChannel();
