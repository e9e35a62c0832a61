import { createHmac, generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import { createServer } from "node:net";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A throwaway RSA key for a fake GitHub App. */
export function appPrivateKey(): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
}

/** A deep copy of GitHub's example `pull_request` payload for `action` that has an installation. */
export function pullRequestExample(
  action: string,
): { pull_request: { number: number; head: { sha: string } } } & Record<string, unknown> {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
    name: string;
    examples: Array<Record<string, unknown>>;
  }>;
  const example = definitions
    .find((d) => d.name === "pull_request")
    ?.examples.find((e) => e.action === action && e.installation);
  if (!example) throw new Error(`no pull_request.${action} example`);
  return structuredClone(example) as {
    pull_request: { number: number; head: { sha: string } };
  } & Record<string, unknown>;
}

/** Delivers a signed webhook (`pull_request` unless named) to a running server, as GitHub does. */
export async function deliverWebhook(
  port: number,
  secret: string,
  id: string,
  payload: unknown,
  event = "pull_request",
): Promise<Response> {
  return sendSigned(port, signDelivery(secret, id, payload, event));
}

export type SignedDelivery = { headers: Record<string, string>; body: string };

/** A webhook request, signed ahead of time (so a load generator spends no CPU on it). */
export function signDelivery(
  secret: string,
  id: string,
  payload: unknown,
  event = "pull_request",
): SignedDelivery {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
  };
}

export function sendSigned(port: number, delivery: SignedDelivery): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
}

/**
 * A `pull_request` payload (GitHub's own example) for one PR of one repository of one
 * installation, at head `sha`.
 */
export function pullRequestPayload(params: {
  action: "opened" | "synchronize";
  installation: number;
  owner: string;
  repo: string;
  number: number;
  sha: string;
  before?: string | undefined;
  title?: string | undefined;
}): Record<string, unknown> {
  const example = pullRequestExample(params.action === "opened" ? "opened" : "synchronize");
  const repository = example.repository as Record<string, unknown>;
  const owner = repository.owner as Record<string, unknown>;
  const pr = example.pull_request as unknown as Record<string, unknown>;
  return {
    ...example,
    ...(params.before ? { before: params.before, after: params.sha } : {}),
    installation: { id: params.installation },
    repository: {
      ...repository,
      name: params.repo,
      full_name: `${params.owner}/${params.repo}`,
      owner: { ...owner, login: params.owner },
    },
    number: params.number,
    pull_request: {
      ...pr,
      number: params.number,
      state: "open",
      draft: false,
      title: params.title ?? `Change ${params.number}`,
      body: "Benchmark pull request.",
      head: { ...(pr.head as Record<string, unknown>), sha: params.sha },
    },
  };
}

/** Polls `check` until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting");
}
