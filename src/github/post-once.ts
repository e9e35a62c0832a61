import { classifyGitHubError } from "./github-error.js";

/**
 * Creates something on GitHub exactly once. GitHub sometimes answers 5xx to a POST it carried out
 * (`npm run soak` saw two summaries on a PR when a POST was simply retried), so after a 5xx it
 * waits, looks for what the POST would have made, and posts again only when it is not there: one
 * more time per entry of `retryDelaysMs`. Any other failure is thrown at once.
 */
export async function postOnce<T>(options: {
  post: () => Promise<T>;
  /** What an earlier attempt made, if it landed after all. */
  findLanded: () => Promise<T | undefined>;
  retryDelaysMs: readonly number[];
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal | undefined;
}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await options.post();
    } catch (error) {
      options.signal?.throwIfAborted();
      const delay = options.retryDelaysMs[attempt];
      if (classifyGitHubError(error).kind !== "server" || delay === undefined) throw error;
      if (delay > 0) await options.sleep(delay, options.signal);
      const landed = await options.findLanded();
      if (landed !== undefined) return landed;
    }
  }
}
