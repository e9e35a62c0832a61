import nock from "nock";
import { afterEach, beforeAll, expect } from "vitest";

// Every test runs offline. A request no scope answers, or a scope no request used, fails the
// test that caused it, with the offending requests named.
const unmatched: string[] = [];

beforeAll(() => {
  nock.disableNetConnect();
  nock.emitter.on(
    "no match",
    (req: {
      method?: string;
      path?: string;
      host?: string;
      options?: { host?: string; path?: string; method?: string };
    }) => {
      const method = req.method ?? req.options?.method ?? "?";
      const where = `${req.options?.host ?? req.host ?? ""}${req.path ?? req.options?.path ?? ""}`;
      // Loopback is where tests run real servers (enableNetConnect("127.0.0.1")); nock still
      // reports those requests as unmatched, but they reach a server on purpose.
      if (/^(127\.0\.0\.1|localhost)(:|$)/.test(where)) return;
      unmatched.push(`${method} ${where}`);
    },
  );
});

afterEach(() => {
  const pending = nock.pendingMocks();
  const stray = unmatched.splice(0);
  nock.cleanAll();
  expect(stray, "requests that no nock scope expected").toEqual([]);
  expect(pending, "nock scopes that no request used").toEqual([]);
});
