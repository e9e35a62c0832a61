import { setMaxListeners } from "node:events";
import type PQueue from "p-queue";
import type { ModelPort } from "../engine/model-port.js";
import type { ProviderChain } from "./provider-chain.js";

/**
 * The engine's model port over the provider chain: every request waits its turn in one queue that
 * bounds model calls across the process, then goes down the chain (breakers, retries, fallbacks).
 * Requests of a higher `priority` are taken first: a pull request's review does not wait behind a
 * backlog of API jobs sharing the same limit.
 */
export function createModelPort(chain: ProviderChain, queue: PQueue, priority = 0): ModelPort {
  // A large review queues many requests on its one signal, each with its abort listener.
  const listen = (signal: AbortSignal) => {
    setMaxListeners(0, signal);
    return signal;
  };
  return {
    hasModel: chain.providers.some((p) => p.usesModel),
    review: (request, signal) =>
      queue.add(() => chain.review(request, signal), { signal: listen(signal), priority }),
    ask: (request, signal) =>
      queue.add(() => chain.ask(request, signal), { signal: listen(signal), priority }),
  };
}
