import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/create-logger.js";
import { createRedactor } from "../../src/security/redactor.js";
import { captureLogs } from "../helpers/test-app.js";

const KEY = "sk-operator-key-0123456789abcdef";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAxyz\n-----END RSA PRIVATE KEY-----";

async function logger() {
  const { logs, stream } = captureLogs();
  const log = await createLogger(
    { level: "trace", format: "json", destination: stream },
    createRedactor([KEY, PEM]),
  );
  return { log, text: () => logs.join("") };
}

describe("logging/create-logger", () => {
  it("removes credential headers by name, whatever their value, at every level", async () => {
    const { log, text } = await logger();

    log.trace(
      { req: { headers: { authorization: "Bearer sha256-only-key", cookie: "s=1" } } },
      "in",
    );
    log.error(
      {
        err: Object.assign(new Error("Bad credentials"), {
          request: {
            headers: {
              authorization: "token ghs_abcdefabcdef0123",
              "X-Api-Key": "k-abc-123456789",
            },
          },
        }),
      },
      "GitHub failed",
    );

    expect(text()).not.toContain("sha256-only-key");
    expect(text()).not.toContain("s=1");
    expect(text()).not.toContain("ghs_abcdefabcdef0123");
    expect(text()).not.toContain("k-abc-123456789");
    expect(text()).toContain('"authorization":"[REDACTED]"');
  });

  it("replaces registered secrets by value, in messages, errors and escaped in JSON", async () => {
    const { log, text } = await logger();

    log.debug(`calling with ${KEY}`);
    log.warn({ err: new Error(`provider said: invalid key ${KEY}`) }, "provider failed");
    log.info({ config: { privateKey: PEM } }, "config");

    expect(text()).not.toContain(KEY);
    expect(text()).not.toContain("MIIEpAIBAAKCAQEAxyz");
    expect(text().match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it("never writes a webhook payload carried by an error, however deep", async () => {
    const { log, text } = await logger();
    const failed = Object.assign(new Error("signature does not match"), {
      event: { id: "d1", payload: '{"secret":"p"}' },
    });

    log.error({ err: failed }, "webhook failed");
    log.error(
      { err: Object.assign(new AggregateError([failed], "handler failed"), { event: failed }) },
      "webhook failed",
    );

    expect(text()).toContain("handler failed");
    expect(text()).toContain('"id":"d1"');
    expect(text()).not.toContain("secret");
  });
});
