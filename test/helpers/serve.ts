import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import nock from "nock";

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Serves an app's HTTP handlers on loopback, as Probot's server would; 404 for the rest. */
export async function serve(handlers: readonly Handler[]) {
  nock.enableNetConnect("127.0.0.1");
  const server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      nock.disableNetConnect();
    },
  };
}
