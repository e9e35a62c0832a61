import { createConnection } from "node:net";

/** The Redis that .ci/run starts; tests that need it skip, visibly, where it is not running. */
export const TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** Whether that Redis answers a connection (checked once per test file). */
export async function redisIsUp(what: string): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: 6379 }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
  if (!up) console.warn(`[critic tests] Redis is not reachable at 127.0.0.1:6379: ${what} skipped`);
  return up;
}
