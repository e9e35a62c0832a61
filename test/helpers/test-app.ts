import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import { Probot, ProbotOctokit } from "probot";
import { type AppEnv, type LogLevel, readEnv } from "../../src/config/env.js";
import { type Critic, createCritic, redisQueues } from "../../src/index.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { createRedactor } from "../../src/security/redactor.js";
import type { Store } from "../../src/store/open-store.js";
import { createFakeClock } from "./fake-clock.js";

// A real RSA key: the App signs a JWT with it before asking for an installation token.
export const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export const APP_ID = 123;
export const LLM_BASE = "http://llm.test";
export const OPENAI_KEY = "sk-test-0123456789abcdefghijklmnop";

/** Throttling and retries off (the function form of `defaults`: Probot merges the object form under its own). */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export type TestApp = Critic & {
  probot: Probot;
  /** The HTTP handlers the app added (`/healthz`, `/metrics`, `/api`), in order. */
  handlers: Handler[];
  logs: string[];
  env: AppEnv;
  clock: ReturnType<typeof createFakeClock>;
};

/** A fresh Probot with Critic loaded, logs captured as JSON lines. */
export async function createTestApp(
  envOverrides: Record<string, string> = {},
  options: {
    logLevel?: LogLevel;
    analysisThreads?: number;
    store?: Store;
    consoleAssets?: string;
  } = {},
): Promise<TestApp> {
  const env = testEnv({
    ...(options.analysisThreads === undefined
      ? {}
      : { CRITIC_ANALYSIS_THREADS: String(options.analysisThreads) }),
    ...envOverrides,
  });
  const { logs, stream } = captureLogs();
  // The production logger, with its redaction, writing to memory.
  const secrets = createRedactor(env.secrets);
  const log = await createLogger(
    { level: options.logLevel ?? "debug", format: "json", destination: stream },
    secrets,
  );
  const probot = new Probot({ appId: APP_ID, privateKey, Octokit: TestOctokit, log });
  const clock = createFakeClock();
  // The analysis runs in this thread here (a thread pool per test would double the suite's time);
  // analysis-pool.test.ts drives the pool itself.
  const critic = createCritic(env, {
    probot,
    openQueues: await redisQueues(env),
    clock: clock.clock,
    secrets,
    inThread: options.analysisThreads === undefined,
    store: options.store,
    consoleAssets: options.consoleAssets,
  });
  const handlers: Handler[] = [];
  await probot.load(critic.app, {
    cwd: process.cwd(),
    addHandler: (handler) => handlers.push(handler as Handler),
  });
  return { ...critic, probot, handlers, logs, env, clock };
}

/** The environment tests run with: an OpenAI key pointed at the fake server. */
export function testEnv(overrides: Record<string, string> = {}): AppEnv {
  return readEnv({
    APP_ID: String(APP_ID),
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${LLM_BASE}/v1`,
    OPENAI_MODEL: "gpt-test",
    ...overrides,
  });
}

/** A writable that keeps every log line, for assertions. */
export function captureLogs(): { logs: string[]; stream: Writable } {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return { logs, stream };
}
