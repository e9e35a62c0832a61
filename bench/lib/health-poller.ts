import { Worker } from "node:worker_threads";

// The poller runs on a thread of its own: the fakes in the bench's main thread (serving a
// 126,500-line file list, say) must not delay the clock it reads, or it measures the bench.
const POLLER = `
const { parentPort, workerData } = require("node:worker_threads");
const times = [];
let polling = true;
parentPort.on("message", () => { polling = false; });
(async () => {
  while (polling) {
    const started = performance.now();
    await fetch(workerData.url).then((r) => r.arrayBuffer()).catch(() => undefined);
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  parentPort.postMessage(times);
})();
`;

/** Polls `url` every `everyMs` until stopped; the answer times in milliseconds, in order. */
export function pollFromThread(url: string, everyMs: number): { stop(): Promise<number[]> } {
  const worker = new Worker(POLLER, { eval: true, workerData: { url, everyMs } });
  return {
    async stop() {
      const times = new Promise<number[]>((resolve) => worker.once("message", resolve));
      worker.postMessage("stop");
      const result = await times;
      await worker.terminate();
      return result;
    },
  };
}

/** The server's `critic_main_thread_busy_seconds`, in milliseconds. */
export async function mainThreadBusyMs(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const seconds = /^critic_main_thread_busy_seconds ([\d.e+-]+)$/m.exec(text)?.[1];
  if (seconds === undefined) throw new Error("/metrics has no critic_main_thread_busy_seconds");
  return Number(seconds) * 1000;
}
