export type BreakerState = "closed" | "open" | "half-open";

export type BreakerOptions = {
  /** Consecutive failed calls that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before one probe call is let through. */
  coolDownMs: number;
  now: () => number;
  onTransition?: (from: BreakerState, to: BreakerState) => void;
};

/** Proof of permission to call, tied to the circuit's generation (it changes each time it opens). */
export type BreakerTicket = { generation: number; probe: boolean };

export type CircuitBreaker = {
  /** The state now; an open circuit whose cool-down has passed reads as half-open. */
  state(): BreakerState;
  /**
   * Asks to make a call. Undefined while open, and while half-open with the one probe already
   * out: the caller must skip the provider without calling it.
   */
  tryAcquire(): BreakerTicket | undefined;
  /** The call succeeded: close the circuit. */
  success(ticket: BreakerTicket): void;
  /** The call failed (after its own retries): count it, and open when the threshold is reached. */
  failure(ticket: BreakerTicket): void;
  /** The call ended without a verdict (cancelled, or a failure that says nothing of the provider). */
  release(ticket: BreakerTicket): void;
};

/**
 * closed → open after `threshold` consecutive failures → half-open after `coolDownMs`, letting one
 * probe through → closed on its success, open again on its failure. Time comes from `now`.
 * Outcomes of calls that began before the circuit last opened are ignored: with many calls in
 * flight, a late success must not close a circuit that just opened, nor a late failure restart
 * its cool-down.
 */
export function createCircuitBreaker(options: BreakerOptions): CircuitBreaker {
  let state: BreakerState = "closed";
  let generation = 0;
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
  const open = () => {
    generation++;
    openedAt = options.now();
    probeOut = false;
    move("open");
  };

  return {
    state: current,
    tryAcquire() {
      const s = current();
      if (s === "closed") return { generation, probe: false };
      if (s === "open" || probeOut) return undefined;
      probeOut = true;
      return { generation, probe: true };
    },
    success(ticket) {
      if (ticket.generation !== generation) return;
      failures = 0;
      probeOut = false;
      move("closed");
    },
    failure(ticket) {
      if (ticket.generation !== generation) return;
      if (ticket.probe) {
        open();
        return;
      }
      failures++;
      if (failures >= options.threshold && current() === "closed") open();
    },
    release(ticket) {
      if (ticket.generation === generation && ticket.probe) probeOut = false;
    },
  };
}
