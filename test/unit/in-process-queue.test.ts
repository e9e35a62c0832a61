import { describe, expect, it } from "vitest";
import { createInProcessQueue } from "../../src/queue/in-process-queue.js";
import type { ReviewJob } from "../../src/queue/review-job.js";

const job = (pullNumber: number, headSha: string): ReviewJob => ({
  deliveryId: `${pullNumber}-${headSha}`,
  installationId: 1,
  owner: "o",
  repo: "r",
  pullNumber,
  headSha,
  title: "t",
  body: "",
  draft: false,
  trigger: "synchronize",
});

/** A runner whose jobs wait until released, recording starts and aborts. */
function gatedRunner() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const run = (j: ReviewJob, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      log.push(`start ${j.pullNumber}@${j.headSha}`);
      signal.addEventListener("abort", () => {
        log.push(`abort ${j.pullNumber}@${j.headSha}`);
        resolve();
      });
      gates.set(`${j.pullNumber}@${j.headSha}`, resolve);
    });
  const release = async (key: string) => {
    gates.get(key)?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { log, run, release };
}

describe("queue/in-process-queue", () => {
  it("lets no installation take more than its share of the slots", async () => {
    const runner = gatedRunner();
    const queue = createInProcessQueue({
      concurrency: 2,
      perInstallation: 1,
      run: runner.run,
      onError: () => {},
    });
    const busy = (n: number) => ({ ...job(n, `b${n}`), installationId: 1 });

    queue.enqueue(busy(1));
    queue.enqueue(busy(2));
    queue.enqueue(busy(3));
    queue.enqueue({ ...job(9, "q9"), installationId: 2 });
    await new Promise((r) => setTimeout(r, 0));

    // The busy installation's second and third wait; the quiet one's review runs at once.
    expect(runner.log).toEqual(["start 1@b1", "start 9@q9"]);
    expect(queue.stats()).toEqual({ pending: 2, running: 2 });
    await runner.release("1@b1");
    expect(runner.log.at(-1)).toBe("start 2@b2");
    await runner.release("9@q9");
    await runner.release("2@b2");
    await runner.release("3@b3");
    await queue.onIdle();
    expect(runner.log).toHaveLength(4);
  });

  it("runs one review per PR: a newer head aborts the running one and runs after it", async () => {
    const runner = gatedRunner();
    const queue = createInProcessQueue({ concurrency: 4, run: runner.run, onError: () => {} });

    expect(queue.enqueue(job(1, "aaa1111"))).toBe("queued");
    expect(queue.enqueue(job(1, "bbb2222"))).toBe("queued");
    expect(queue.enqueue(job(1, "ccc3333"))).toBe("coalesced");
    expect(queue.enqueue(job(1, "ccc3333"))).toBe("duplicate");
    expect(queue.stats()).toEqual({ pending: 1, running: 1 });
    await new Promise((r) => setTimeout(r, 0));
    await runner.release("1@ccc3333");
    await queue.onIdle();

    expect(runner.log).toEqual(["start 1@aaa1111", "abort 1@aaa1111", "start 1@ccc3333"]);
  });

  it("keeps a /review request when a push replaces or supersedes it, and answers a duplicate request", async () => {
    const seen: ReviewJob[] = [];
    const runner = gatedRunner();
    const queue = createInProcessQueue({
      concurrency: 4,
      run: (j, signal) => {
        seen.push(j);
        return runner.run(j, signal);
      },
      onError: () => {},
    });
    const ack = { commentId: 7, kind: "issue" as const };

    queue.enqueue({ ...job(1, "aaa1111"), trigger: "command", full: true, ack });
    queue.enqueue(job(1, "bbb2222"));
    const running = job(2, "ccc3333");
    queue.enqueue(running);
    queue.enqueue({ ...job(2, "ccc3333"), trigger: "command", ack });
    await new Promise((r) => setTimeout(r, 0));
    await runner.release("1@bbb2222");
    await runner.release("2@ccc3333");
    await queue.onIdle();

    expect(seen.find((j) => j.headSha === "bbb2222")).toMatchObject({
      trigger: "command",
      full: true,
      ack,
    });
    expect(running.ack).toEqual(ack);
  });

  it("runs different PRs side by side, up to the concurrency", async () => {
    const runner = gatedRunner();
    const queue = createInProcessQueue({ concurrency: 2, run: runner.run, onError: () => {} });

    for (const n of [1, 2, 3]) queue.enqueue(job(n, "aaa1111"));

    expect(queue.stats()).toEqual({ pending: 1, running: 2 });
    await runner.release("1@aaa1111");
    expect(runner.log).toEqual(["start 1@aaa1111", "start 2@aaa1111", "start 3@aaa1111"]);
    await runner.release("2@aaa1111");
    await runner.release("3@aaa1111");
    await queue.onIdle();
  });

  it("reports a crashing job and keeps working", async () => {
    const errors: string[] = [];
    const queue = createInProcessQueue({
      concurrency: 1,
      run: async (j) => {
        if (j.headSha === "bad0000") throw new Error("boom");
      },
      onError: (j, e) => errors.push(`${j.headSha}: ${(e as Error).message}`),
    });

    queue.enqueue(job(1, "bad0000"));
    await queue.onIdle();
    expect(queue.enqueue(job(1, "good000"))).toBe("queued");
    await queue.onIdle();

    expect(errors).toEqual(["bad0000: boom"]);
    expect(queue.stats()).toEqual({ pending: 0, running: 0 });
  });
});
