import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type FakeGitHubCall = { method: string; path: string; body: unknown };

export type FakeGitHub = {
  server: Server;
  url: string;
  calls: FakeGitHubCall[];
  close(): Promise<void>;
};

/**
 * A GitHub REST API on loopback, enough for one review: installation tokens, config (always
 * absent), issue comments, PR files, reviews and check runs. `files` answers every PR's file list.
 */
export async function startFakeGitHub(options: {
  files: unknown[];
  appId: number;
  /** What `GET /pulls/{n}` answers as the head: the SHA the webhook named (or one per PR number). */
  headSha: string | ((pullNumber: number) => string);
  latencyMs?: number;
}): Promise<FakeGitHub> {
  const calls: FakeGitHubCall[] = [];
  let nextId = 1000;
  const comments = new Map<string, Array<Record<string, unknown>>>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    // REST is under /api/v3 and GraphQL at /api/graphql on a GitHub Enterprise-style host.
    const path = url.pathname.replace(/^\/api(\/v3)?/, "");
    calls.push({ method: req.method ?? "GET", path, body });
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const json = (status: number, data: unknown) => {
      res
        .writeHead(status, { "content-type": "application/json; charset=utf-8" })
        .end(JSON.stringify(data));
    };
    const issueComments = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    const editComment = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return json(201, {
        token: `ghs_fake_${Date.now()}`,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: {},
      });
    }
    // Head files and repository rules: none, so the static engine parses the hunks.
    if (req.method === "POST" && path === "/graphql")
      return json(200, { data: { repository: {} } });
    if (req.method === "GET" && /\/contents\//.test(path))
      return json(404, { message: "Not Found" });
    if (issueComments) {
      const key = `${issueComments[1]}#${issueComments[2]}`;
      const list = comments.get(key) ?? [];
      if (req.method === "GET") return json(200, list);
      const comment = {
        id: nextId++,
        body: (body as { body: string }).body,
        user: { login: "critic[bot]", type: "Bot" },
        performed_via_github_app: { id: options.appId },
      };
      comments.set(key, [...list, comment]);
      return json(201, comment);
    }
    if (req.method === "PATCH" && editComment) {
      for (const list of comments.values()) {
        const found = list.find((c) => c.id === Number(editComment[2]));
        if (found) found.body = (body as { body: string }).body;
      }
      return json(200, { id: Number(editComment[2]) });
    }
    const pull = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/.exec(path);
    if (req.method === "GET" && pull) {
      const sha =
        typeof options.headSha === "string" ? options.headSha : options.headSha(Number(pull[1]));
      return json(200, { state: "open", head: { sha } });
    }
    if (req.method === "GET" && /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/.test(path))
      return json(200, options.files);
    if (/^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/reviews$/.test(path)) {
      return req.method === "POST"
        ? json(200, { id: nextId++, state: "COMMENTED" })
        : json(200, []);
    }
    if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path))
      return json(201, { id: nextId++, status: "in_progress" });
    const checkRun = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path);
    if (req.method === "PATCH" && checkRun) return json(200, { id: Number(checkRun[1]) });
    return json(404, { message: `fake GitHub has no route for ${req.method} ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
