import { describe, expect, it } from "vitest";
import { ProviderError } from "../../src/errors.js";
import { type BreakerState, createCircuitBreaker } from "../../src/resilience/circuit-breaker.js";
import { retryDelayMs } from "../../src/resilience/retry-policy.js";
import { createFakeClock } from "../helpers/fake-clock.js";

describe("resilience/circuit-breaker", () => {
  const setup = () => {
    const fake = createFakeClock();
    const transitions: string[] = [];
    const breaker = createCircuitBreaker({
      threshold: 3,
      coolDownMs: 60_000,
      now: fake.clock.now,
      onTransition: (from: BreakerState, to: BreakerState) => transitions.push(`${from}→${to}`),
    });
    return { fake, breaker, transitions };
  };
  const fail = (b: ReturnType<typeof createCircuitBreaker>) => {
    const ticket = b.tryAcquire();
    expect(ticket).toBeDefined();
    if (ticket) b.failure(ticket);
  };

  it("opens after three consecutive failures and refuses calls while open", () => {
    const { breaker, transitions } = setup();

    fail(breaker);
    fail(breaker);
    expect(breaker.state()).toBe("closed");
    fail(breaker);

    expect(breaker.state()).toBe("open");
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(transitions).toEqual(["closed→open"]);
  });

  it("a success resets the count of consecutive failures", () => {
    const { breaker } = setup();

    fail(breaker);
    fail(breaker);
    const ticket = breaker.tryAcquire();
    if (ticket) breaker.success(ticket);
    fail(breaker);
    fail(breaker);

    expect(breaker.state()).toBe("closed");
  });

  it("lets exactly one probe through after the cool-down, and closes when it succeeds", () => {
    const { fake, breaker, transitions } = setup();
    for (let i = 0; i < 3; i++) fail(breaker);

    fake.advance(59_999);
    expect(breaker.tryAcquire()).toBeUndefined();
    fake.advance(1);
    expect(breaker.state()).toBe("half-open");
    const probe = breaker.tryAcquire();
    expect(probe).toEqual({ generation: 1, probe: true });
    expect(breaker.tryAcquire()).toBeUndefined();
    if (probe) breaker.success(probe);

    expect(breaker.state()).toBe("closed");
    expect(transitions).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
  });

  it("re-opens for another full cool-down when the probe fails", () => {
    const { fake, breaker } = setup();
    for (let i = 0; i < 3; i++) fail(breaker);
    fake.advance(60_000);

    fail(breaker);
    expect(breaker.state()).toBe("open");
    fake.advance(30_000);
    expect(breaker.state()).toBe("open");
    fake.advance(30_000);
    expect(breaker.state()).toBe("half-open");
  });

  it("frees the probe slot when a call ends without a verdict", () => {
    const { fake, breaker } = setup();
    for (let i = 0; i < 3; i++) fail(breaker);
    fake.advance(60_000);

    const probe = breaker.tryAcquire();
    expect(probe).toBeDefined();
    if (probe) breaker.release(probe);
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it("ignores outcomes of calls that began before the circuit last opened", () => {
    const { fake, breaker } = setup();
    const early = [
      breaker.tryAcquire(),
      breaker.tryAcquire(),
      breaker.tryAcquire(),
      breaker.tryAcquire(),
    ];
    for (const t of early.slice(0, 3)) if (t) breaker.failure(t);
    expect(breaker.state()).toBe("open");

    const late = early[3];
    if (late) breaker.success(late);
    expect(breaker.state()).toBe("open");
    fake.advance(30_000);
    if (late) breaker.failure(late);
    fake.advance(30_000);
    expect(breaker.state()).toBe("half-open");
  });
});

describe("resilience/retry-policy", () => {
  const policy = { retries: 2, baseDelayMs: 1_000, maxDelayMs: 20_000 };
  const err = (kind: ConstructorParameters<typeof ProviderError>[1], retryAfterSeconds?: number) =>
    new ProviderError("openai", kind, "x", { retryAfterSeconds });

  it("backs off exponentially with full jitter below a doubling ceiling", () => {
    expect(retryDelayMs(err("server"), 0, policy, () => 0.999)).toBe(999);
    expect(retryDelayMs(err("server"), 1, policy, () => 0.999)).toBe(1998);
    expect(retryDelayMs(err("timeout"), 0, policy, () => 0)).toBe(0);
    expect(
      retryDelayMs(err("connection"), 1, { ...policy, retries: 9, maxDelayMs: 1500 }, () => 0.999),
    ).toBe(1498);
  });

  it("honours retry-after up to the cap and gives up on a longer wait", () => {
    expect(retryDelayMs(err("rate_limited", 3), 0, policy, () => 0.1)).toBe(3000);
    expect(retryDelayMs(err("rate_limited", 20), 0, policy, () => 0.1)).toBe(20000);
    expect(retryDelayMs(err("rate_limited", 3600), 0, policy, () => 0.1)).toBeUndefined();
  });

  it.each(["auth", "bad_request", "bad_output", "truncated", "aborted"] as const)(
    "never retries %s",
    (kind) => {
      expect(retryDelayMs(err(kind), 0, policy, () => 0.5)).toBeUndefined();
    },
  );

  it("stops when the retries are spent", () => {
    expect(retryDelayMs(err("server"), 2, policy, () => 0.5)).toBeUndefined();
  });
});
