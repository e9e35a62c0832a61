import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate, inflateRaw } from "node:zlib";

/**
 * The `fetch` Critic's Octokit uses: the same request on `node:http(s)` with keep-alive agents,
 * the whole body buffered, and a minimal response object with what Octokit reads from one
 * (`status`, `url`, `headers`, `text()`, `arrayBuffer()`, `body`). Node's own `fetch` spends
 * several times the main thread's CPU per call on WHATWG streams and checks, and a review makes
 * some eight calls to GitHub. Anything this does not handle as `fetch` would (a redirect, a
 * `Request` object, a streamed body, another `redirect` mode) goes to `fetch` itself.
 */
export async function lightFetch(input: FetchInput, init: RequestInit = {}): Promise<Response> {
  const url = plainUrl(input);
  const body = init.body;
  const headers = plainHeaders(init.headers);
  if (
    url === undefined ||
    headers === undefined ||
    (body !== undefined && body !== null && typeof body !== "string" && !isBytes(body)) ||
    (init.redirect !== undefined && init.redirect !== "follow")
  )
    return globalThis.fetch(input, init);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const method = (init.method ?? "GET").toUpperCase();
  const sent = await send(url, method, headers, body ?? undefined, signal, true);
  // A redirect is followed by `fetch` (which re-sends the request as it would have): GitHub
  // answers one only for a moved repository or a download, never on a review's hot path.
  if (REDIRECTS.has(sent.response.statusCode ?? 0) && sent.response.headers.location) {
    sent.response.resume();
    return globalThis.fetch(input, init);
  }
  const bytes = await readBody(sent.response, method, signal);
  return new LightResponse(url.href, sent.response, bytes) as unknown as Response;
}

type FetchInput = string | URL | Request;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// As `fetch`: connections are kept between calls, and a response that stalls is given up on
// after five minutes (undici's headers and body timeouts).
const AGENTS = {
  "http:": new HttpAgent({ keepAlive: true }),
  "https:": new HttpsAgent({ keepAlive: true }),
};
const STALL_MS = 300_000;
const ACCEPT_ENCODING = "gzip, deflate, br";

function plainUrl(input: FetchInput): URL | undefined {
  if (typeof input !== "string" && !(input instanceof URL)) return undefined;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    // An address `fetch` refuses is left for it to refuse, with its own error.
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
}

/** Headers as Octokit passes them (an object of strings); undefined for any other form. */
function plainHeaders(headers: RequestInit["headers"]): Record<string, string> | undefined {
  if (headers === undefined) return {};
  if (Array.isArray(headers) || headers instanceof Headers) return undefined;
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") return undefined;
    plain[name] = value;
  }
  return plain;
}

function isBytes(body: unknown): body is Uint8Array {
  return body instanceof Uint8Array;
}

type Sent = { response: IncomingMessage };

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  mayRetry: boolean,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const outgoing: Record<string, string> = { ...headers };
    if (!hasHeader(outgoing, "accept-encoding")) outgoing["accept-encoding"] = ACCEPT_ENCODING;
    if (body !== undefined && !hasHeader(outgoing, "content-length"))
      outgoing["content-length"] = String(
        typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
      );
    const https = url.protocol === "https:";
    const request = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers: outgoing,
      agent: https ? AGENTS["https:"] : AGENTS["http:"],
    });
    const onAbort = () => request.destroy(abortReason(signal) as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    request.setTimeout(STALL_MS, () =>
      request.destroy(new Error(`no response from ${url.host} in ${STALL_MS / 1000} s`)),
    );
    request.once("response", (response) => {
      done();
      resolve({ response });
    });
    request.once("error", (error: NodeJS.ErrnoException) => {
      done();
      if (signal?.aborted) return reject(abortReason(signal));
      // A kept-alive connection the server closed just as it was reused: the request never
      // reached it, so it is sent again once on a fresh connection (Node's documented remedy).
      if (mayRetry && request.reusedSocket && error.code === "ECONNRESET")
        return send(url, method, headers, body, signal, false).then(resolve, reject);
      // `fetch`'s shape for a network failure: a TypeError whose cause says what happened.
      reject(new TypeError("fetch failed", { cause: error }));
    });
    request.end(body);
  });
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
}

const DECODERS: Record<string, (bytes: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  "x-gzip": promisify(gunzip),
  br: promisify(brotliDecompress),
  // `deflate` is meant to be zlib-wrapped, but some servers send it raw; `fetch` accepts both.
  deflate: (bytes) => promisify(inflate)(bytes).catch(() => promisify(inflateRaw)(bytes)),
};

async function readBody(
  response: IncomingMessage,
  method: string,
  signal: AbortSignal | undefined,
): Promise<Buffer> {
  const status = response.statusCode ?? 0;
  if (method === "HEAD" || status === 204 || status === 205 || status === 304) {
    response.resume();
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => response.destroy(abortReason(signal) as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.once("end", () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    response.once("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? abortReason(signal) : new TypeError("terminated", { cause: error }));
    });
  });
  let bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  // Decoded off the main thread (zlib's asynchronous calls run in libuv's pool), innermost last.
  const encodings = (response.headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "" && e !== "identity");
  for (const encoding of encodings.reverse()) {
    const decode = DECODERS[encoding];
    if (!decode) break;
    bytes = await decode(bytes);
  }
  return bytes;
}

/** What Octokit reads from a `fetch` response, over a buffered body. */
class LightResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = "basic";
  readonly url: string;
  readonly headers: Headers;
  readonly #bytes: Buffer;
  bodyUsed = false;

  constructor(url: string, response: IncomingMessage, bytes: Buffer) {
    this.url = url;
    this.status = response.statusCode ?? 0;
    this.statusText = response.statusMessage ?? "";
    this.ok = this.status >= 200 && this.status < 300;
    const headers = new Headers();
    const raw = response.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2)
      headers.append(raw[i] as string, raw[i + 1] as string);
    this.headers = headers;
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    const bytes = this.#bytes;
    if (bytes.length === 0) return null;
    return new ReadableStream({
      pull(controller) {
        controller.enqueue(new Uint8Array(bytes));
        controller.close();
      },
    });
  }

  async text(): Promise<string> {
    this.bodyUsed = true;
    const bytes = this.#bytes;
    // `fetch` decodes UTF-8 without a leading byte-order mark.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return bytes.toString("utf8", bom ? 3 : 0);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    const bytes = this.#bytes;
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    return copy;
  }
}
