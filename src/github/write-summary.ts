import { SUMMARY_MARKER } from "../render/markers.js";
import type { GitHub } from "./octokit.js";
import {
  findOwnComment,
  type IssueComment,
  type OwnIdentity,
  type PullRef,
  upsertComment,
} from "./pull-request.js";
import type { SummaryIndex } from "./summary-index.js";
import type { SummaryLock } from "./summary-lock.js";

export type SummaryStore = {
  /** One writer per pull request at a time (across processes in Redis mode). */
  lock?: SummaryLock | undefined;
  /** The summary as last written, so a later writer edits it without reading GitHub again. */
  index?: SummaryIndex | undefined;
  own: OwnIdentity;
  /** Waits between attempts when GitHub fails a creation (no wait when absent). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
};

/**
 * Creates or edits Critic's one summary comment on a pull request. `known` is the summary as
 * read earlier (or undefined: none then); a writer that came in between wins over it, and
 * `render` sees the current text so it can keep what that writer changed (a pause). Without
 * `known`, the summary is looked up on GitHub first.
 */
export async function writeSummary(
  store: SummaryStore,
  params: {
    gh: GitHub;
    ref: PullRef;
    key: string;
    known: IssueComment | undefined | "unknown";
    render: (current: IssueComment | undefined) => string;
  },
): Promise<IssueComment> {
  const { gh, ref, key } = params;
  const find = () => findOwnComment(gh, ref, SUMMARY_MARKER, store.own);
  const lock = store.lock ?? ((_key, fn) => fn());
  return lock(key, async () => {
    const noted = await store.index?.get(key);
    const current = noted ?? (params.known === "unknown" ? await find() : params.known);
    const written = await upsertComment(gh, ref, current, params.render(current), {
      find,
      sleep: store.sleep ?? (async () => {}),
    });
    await store.index?.set(key, written);
    return written;
  });
}
