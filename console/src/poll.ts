import type { SubmissionView } from "../../src/console/console-api-types.js";
import { ApiError, getJson } from "./api.js";

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Follows a submission about once a second until it is done or failed, reporting every answer.
 * A dropped connection is retried (slower each time) rather than ending the wait, since the
 * review goes on at the server regardless; a refusal (404, 403) ends it. Resolves to the final
 * view, or undefined when `signal` aborted first (the person left the page).
 */
export async function followSubmission(
  id: string,
  signal: AbortSignal,
  onUpdate: (view: SubmissionView) => void,
  onRetry: (message: string) => void,
): Promise<SubmissionView | undefined> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const view = await getJson<SubmissionView>(`/submissions/${encodeURIComponent(id)}`, signal);
      if (signal.aborted) return undefined;
      failures = 0;
      onUpdate(view);
      if (view.status === "done" || view.status === "failed") return view;
    } catch (error) {
      if (signal.aborted) return undefined;
      const transient =
        error instanceof ApiError &&
        (error.status === 0 || error.status === 429 || error.status >= 500);
      if (!transient) throw error;
      failures += 1;
      onRetry(`${error.message} Retrying…`);
    }
    await sleep(Math.min(1000 * 2 ** Math.min(failures, 3), 8000), signal);
  }
  return undefined;
}

/** The words for a submission's state, as the live status line shows them. */
export function statusText(view: SubmissionView): string {
  switch (view.status) {
    case "queued":
      return "Queued…";
    case "running":
      return view.progress && view.progress.total > 0
        ? `Reviewing… ${view.progress.done} of ${view.progress.total} files`
        : "Reviewing…";
    case "done":
      return view.result ? `Review done: rated ${view.result.rating}/10.` : "Review done.";
    case "failed":
      return `Review failed: ${view.error ?? "no reason was given"}`;
  }
}
