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

/** Delivers a signed `pull_request` webhook to a running server, as GitHub does. */
export async function deliverWebhook(
  port: number,
  secret: string,
  id: string,
  payload: unknown,
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
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
