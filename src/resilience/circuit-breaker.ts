export type BreakerState = "closed" | "open" | "half-open";

export type BreakerOptions = {
  /** Consecutive failed calls that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before one probe call is let through. */
  coolDownMs: number;
  now: () => number;
  onTransition?: (from: BreakerState, to: BreakerState) => void;
};

export type CircuitBreaker = {
  /** The state now; an open circuit whose cool-down has passed reads as half-open. */
  state(): BreakerState;
  /**
   * Asks to make a call. False while open, and while half-open with the one probe already out:
   * the caller must skip the provider without calling it.
   */
  tryAcquire(): boolean;
  /** The call succeeded: close the circuit. */
  success(): void;
  /** The call failed (after its own retries): count it, and open when the threshold is reached. */
  failure(): void;
  /** The call ended without a verdict (cancelled, or a failure that says nothing of the provider). */
  release(): void;
};

/**
 * closed → open after `threshold` consecutive failures → half-open after `coolDownMs`, letting one
 * probe through → closed on its success, open again on its failure. Time comes from `now`.
 */
export function createCircuitBreaker(options: BreakerOptions): CircuitBreaker {
  let state: BreakerState = "closed";
  let failures = 0;
  let openedAt = 0;
  let probeOut = false;

  const move = (to: BreakerState) => {
    if (to === state) return;
    const from = state;
    state = to;
    options.onTransition?.(from, to);
  };
  const current = (): BreakerState => {
    if (state === "open" && options.now() - openedAt >= options.coolDownMs) move("half-open");
    return state;
  };

  return {
    state: current,
    tryAcquire() {
      const s = current();
      if (s === "closed") return true;
      if (s === "open" || probeOut) return false;
      probeOut = true;
      return true;
    },
    success() {
      failures = 0;
      probeOut = false;
      move("closed");
    },
    failure() {
      failures++;
      const wasProbe = current() === "half-open";
      probeOut = false;
      if (wasProbe || failures >= options.threshold) {
        openedAt = options.now();
        move("open");
      }
    },
    release() {
      probeOut = false;
    },
  };
}
