/**
 * The operator's own GitHub tokens (`GITHUB_TOKENS`) for reading public repositories, each with
 * the quota GitHub last reported for it. A read uses the token with the most requests left; one
 * GitHub reported exhausted is skipped until its reset, and one GitHub refused (401) for good.
 * Tokens never leave this object except as the header of the request they serve: `describe()`
 * names them by position only, so it is safe to log.
 */
export type TokenPool = {
  readonly size: number;
  /** The usable token with the most quota left, skipping positions in `exclude`. */
  pick(exclude?: ReadonlySet<number>): { index: number; token: string } | undefined;
  /** Reads `x-ratelimit-remaining` / `x-ratelimit-reset` from a response to a request it served. */
  record(index: number, headers: Record<string, unknown>): void;
  /** GitHub refused the token (revoked, expired): it is not used again. */
  retire(index: number): void;
  /** The earliest time an exhausted token becomes usable again, if none is usable now. */
  nextReset(): number | undefined;
  describe(): Array<{ index: number; remaining?: number; resetAt?: number; retired: boolean }>;
};

type Slot = { token: string; remaining?: number; resetAt?: number; retired: boolean };

export function createTokenPool(
  tokens: readonly string[],
  now: () => number = Date.now,
): TokenPool {
  const slots: Slot[] = tokens.map((token) => ({ token, retired: false }));
  // A token whose reset has passed has its full quota again, which GitHub reports on next use.
  const usable = (slot: Slot) =>
    !slot.retired && !(slot.remaining === 0 && (slot.resetAt ?? 0) > now());
  // Unknown quota ranks first: a token not yet used is worth learning about.
  const rank = (slot: Slot) =>
    slot.remaining === undefined || (slot.resetAt ?? 0) <= now() ? Infinity : slot.remaining;

  return {
    size: slots.length,
    pick(exclude) {
      let best: number | undefined;
      slots.forEach((slot, index) => {
        if (exclude?.has(index) || !usable(slot)) return;
        const current = best === undefined ? undefined : slots[best];
        if (current === undefined || rank(slot) > rank(current)) best = index;
      });
      const slot = best === undefined ? undefined : slots[best];
      return best === undefined || !slot ? undefined : { index: best, token: slot.token };
    },
    record(index, headers) {
      const slot = slots[index];
      if (!slot) return;
      const remaining = Number(headers["x-ratelimit-remaining"]);
      const reset = Number(headers["x-ratelimit-reset"]);
      if (headers["x-ratelimit-remaining"] !== undefined && Number.isFinite(remaining))
        slot.remaining = remaining;
      if (headers["x-ratelimit-reset"] !== undefined && Number.isFinite(reset))
        slot.resetAt = reset * 1000;
    },
    retire(index) {
      const slot = slots[index];
      if (slot) slot.retired = true;
    },
    nextReset() {
      if (slots.some(usable)) return undefined;
      const resets = slots.filter((s) => !s.retired && s.resetAt).map((s) => s.resetAt as number);
      return resets.length > 0 ? resets.reduce((a, b) => Math.min(a, b)) : undefined;
    },
    describe() {
      return slots.map((slot, index) => ({
        index,
        ...(slot.remaining === undefined ? {} : { remaining: slot.remaining }),
        ...(slot.resetAt === undefined ? {} : { resetAt: slot.resetAt }),
        retired: slot.retired,
      }));
    },
  };
}
