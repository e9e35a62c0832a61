/**
 * Bytes that requests may hold in memory at once, shared by all of them: a body takes its share
 * as it arrives and gives it back when it is handled or refused. Bodies are each capped, but
 * without a shared budget enough of them held open at once (unsigned, sent slowly) would take the
 * process's memory.
 */
export type ByteBudget = {
  /** Takes `bytes` if they are free; false (and nothing taken) when they are not. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  /** Bytes taken now. */
  held(): number;
};

export function createByteBudget(limit: number): ByteBudget {
  let held = 0;
  return {
    take(bytes) {
      if (bytes < 0 || held + bytes > limit) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
    held: () => held,
  };
}
