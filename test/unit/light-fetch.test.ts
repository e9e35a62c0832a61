import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lightFetch } from "../../src/github/light-fetch.js";
import { CriticOctokit } from "../../src/github/octokit.js";
import { serialiseBody } from "../../src/github/octokit-json.js";

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };

let server: Server;
let base: string;
let seen: Seen[];
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeEach(async () => {
  nock.enableNetConnect("127.0.0.1");
  seen = [];
  answer = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}");
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  nock.disableNetConnect();
});

describe("github/light-fetch", () => {
  it("sends the request as fetch would and answers with its status, headers and body", async () => {
    answer = (_req, res) =>
      res.writeHead(201, { "content-type": "application/json", "x-one": "1" }).end('{"a":1}');
    const response = await lightFetch(`${base}/x?y=1`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "token t" },
      body: '{"é":1}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/x?y=1`);
    expect(response.headers.get("x-one")).toBe("1");
    expect([...response.headers].map(([name]) => name)).toContain("content-type");
    expect(await response.text()).toBe('{"a":1}');
    expect(seen[0]).toMatchObject({ method: "POST", url: "/x?y=1", body: '{"é":1}' });
    expect(seen[0]?.headers["content-length"]).toBe(String(Buffer.byteLength('{"é":1}')));
    expect(seen[0]?.headers.authorization).toBe("token t");
  });

  it("decodes a gzipped body and drops a byte-order mark from text", async () => {
    answer = (_req, res) =>
      res
        .writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" })
        .end(gzipSync(Buffer.from("\ufeffhello", "utf8")));
    const response = await lightFetch(`${base}/g`);
    expect(seen[0]?.headers["accept-encoding"]).toContain("gzip");
    expect(await response.text()).toBe("hello");
  });

  it("gives bytes as an ArrayBuffer of their own", async () => {
    answer = (_req, res) => res.writeHead(200).end(Buffer.from([1, 2, 3]));
    const bytes = await (await lightFetch(`${base}/b`)).arrayBuffer();
    expect([...new Uint8Array(bytes)]).toEqual([1, 2, 3]);
    expect(bytes.byteLength).toBe(3);
  });

  it("leaves a redirect to fetch, which follows it", async () => {
    answer = (req, res) => {
      if (req.url === "/old") res.writeHead(301, { location: `${base}/new` }).end();
      else res.writeHead(200).end("moved here");
    };
    const response = await lightFetch(`${base}/old`);
    expect(await response.text()).toBe("moved here");
    expect(seen.map((s) => s.url)).toEqual(["/old", "/old", "/new"]);
  });

  it("rejects with the signal's reason when aborted", async () => {
    answer = () => undefined;
    const controller = new AbortController();
    const pending = lightFetch(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("rejects a network failure as fetch does: a TypeError with the cause", async () => {
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const failed = await lightFetch(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TypeError);
    expect((failed as TypeError).message).toBe("fetch failed");
    expect((failed as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    server = createServer();
    server.listen(0, "127.0.0.1");
  });
});

describe("github/octokit-json", () => {
  it("serialises a write's body as Octokit would, leaving the URL's parameters out", () => {
    const options = {
      method: "POST",
      url: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      baseUrl: "https://api.github.com",
      headers: { accept: "application/json" },
      mediaType: { format: "" },
      request: {},
      owner: "o",
      repo: "r",
      pull_number: 2,
      body: "text",
      comments: [{ path: "a", line: 1 }],
    };
    serialiseBody(options);
    expect(JSON.parse(String((options as { data?: string }).data))).toEqual({
      body: "text",
      comments: [{ path: "a", line: 1 }],
    });
    const read = { method: "GET", url: "/repos/{owner}/{repo}", owner: "o", repo: "r" };
    serialiseBody(read);
    expect("data" in read).toBe(false);
    const big = { method: "POST", url: "/x", n: 1n };
    serialiseBody(big);
    expect("data" in big).toBe(false);
  });

  it("sends Critic's Octokit requests over lightFetch with the same bodies and answers", async () => {
    answer = (req, res) => {
      if (req.url?.endsWith("/graphql"))
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('{"data":{"viewer":{"login":"critic"}}}');
      else if (req.url?.includes("/contents/"))
        res
          .writeHead(200, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" })
          .end("file text");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"id":7}');
    };
    const gh = new CriticOctokit({
      auth: "token-for-tests",
      baseUrl: base,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const review = await gh.rest.pulls.createReview({
      owner: "o",
      repo: "r",
      pull_number: 2,
      event: "COMMENT",
      body: "a review",
    });
    expect(review.data).toEqual({ id: 7 });
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ event: "COMMENT", body: "a review" });
    expect(seen[0]?.headers["content-type"]).toBe("application/json; charset=utf-8");
    const viewer = await gh.graphql<{ viewer: { login: string } }>("query { viewer { login } }");
    expect(viewer.viewer.login).toBe("critic");
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual({ query: "query { viewer { login } }" });
    const file = await gh.rest.repos.getContent({
      owner: "o",
      repo: "r",
      path: "a.txt",
      mediaType: { format: "raw" },
    });
    expect(file.data).toBe("file text");
  });
});
