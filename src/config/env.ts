import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { GITHUB_WRITE_LIMITS, parseWriteLimits, type WriteLimits } from "../github/write-window.js";
import { actionToken, fromActionInputs } from "./action-inputs.js";
import { type PrivateKeyResult, readPrivateKey } from "./private-key.js";
import { CONFIG_PATH } from "./repo-config.schema.js";

/** Provider ids Critic knows, in the order they are tried by default. */
export const KNOWN_PROVIDERS = ["openai", "gemini", "static"] as const;
export type ProviderId = (typeof KNOWN_PROVIDERS)[number];

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `must be a whole number from ${min} to ${max} (got "${v}")`,
        });
        return z.NEVER;
      }
      return n;
    });

const dollars = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return 0;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1_000_000) {
      ctx.addIssue({
        code: "custom",
        message: `must be an amount of dollars such as 5 or 12.50 (got "${v}")`,
      });
      return z.NEVER;
    }
    return n;
  });

const url = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return undefined;
    try {
      return new URL(v.trim()).toString().replace(/\/$/, "");
    } catch {
      ctx.addIssue({
        code: "custom",
        // The value is not echoed: a URL can hold a password.
        message: "must be an absolute URL such as http://127.0.0.1:8080/v1",
      });
      return z.NEVER;
    }
  });

const providerList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return [...KNOWN_PROVIDERS];
    const ids = v
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const unknown = ids.filter((id) => !(KNOWN_PROVIDERS as readonly string[]).includes(id));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `names unknown providers ${unknown.join(", ")}; use a comma-separated list of ${KNOWN_PROVIDERS.join(", ")}`,
      });
      return z.NEVER;
    }
    return [...new Set(ids)] as ProviderId[];
  });

const commaList = z
  .string()
  .optional()
  .transform((v) => [
    ...new Set(
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]);

const priceTable = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return {};
    const Prices = z.record(
      z.string(),
      z.object({
        input: z.number().min(0),
        output: z.number().min(0),
        cachedInput: z.number().min(0).optional(),
      }),
    );
    try {
      const parsed = Prices.safeParse(JSON.parse(v));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: "custom",
      message:
        'must be JSON like {"gpt-4.1-mini":{"input":0.4,"output":1.6,"cachedInput":0.1}} (US$ per million tokens; cachedInput is optional)',
    });
    return z.NEVER;
  });

// Windows of content writes per installation; GitHub's own numbers unless a bench shortens them.
const writeLimits = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return GITHUB_WRITE_LIMITS;
    const parsed = parseWriteLimits(v);
    if (typeof parsed !== "string") return parsed;
    ctx.addIssue({ code: "custom", message: `must be like 80/60s,500/1h: ${parsed}` });
    return z.NEVER;
  });

// A path inside the repository, read through the API from the default branch.
const configPath = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return CONFIG_PATH;
    const path = v.trim().replace(/^\.\//, "");
    if (!/^[\w.-]+(?:\/[\w.-]+)*\.ya?ml$/.test(path) || path.split("/").includes("..")) {
      ctx.addIssue({
        code: "custom",
        message: `must be a relative path to a YAML file in the repository, such as .github/critic.yml (got "${v}")`,
      });
      return z.NEVER;
    }
    return path;
  });

const EnvSchema = z.object({
  APP_ID: wholeNumber(0, 0, Number.MAX_SAFE_INTEGER),
  WEBHOOK_SECRET: optionalString,
  PRIVATE_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url,
  OPENAI_MODEL: optionalString.transform((v) => v ?? "gpt-4.1-mini"),
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: url,
  GEMINI_MODEL: optionalString.transform((v) => v ?? "gemini-2.5-flash"),
  CRITIC_PROVIDERS: providerList,
  CRITIC_LLM_TIMEOUT_MS: wholeNumber(60_000, 50, 600_000),
  CRITIC_LLM_RETRIES: wholeNumber(2, 0, 10),
  CRITIC_LLM_RETRY_BASE_MS: wholeNumber(1_000, 0, 60_000),
  CRITIC_LLM_RETRY_MAX_MS: wholeNumber(20_000, 0, 300_000),
  CRITIC_LLM_CONCURRENCY: wholeNumber(8, 1, 256),
  CRITIC_BREAKER_THRESHOLD: wholeNumber(3, 1, 100),
  CRITIC_BREAKER_COOLDOWN_MS: wholeNumber(60_000, 0, 3_600_000),
  CRITIC_CACHE_ENTRIES: wholeNumber(500, 0, 1_000_000),
  CRITIC_MAX_REQUEST_TOKENS: wholeNumber(16_000, 500, 1_000_000),
  CRITIC_PRICES: priceTable,
  CRITIC_MAX_OUTPUT_TOKENS: wholeNumber(4_096, 256, 100_000),
  CRITIC_MAX_PROMPT_TOKENS: wholeNumber(60_000, 1_000, 1_000_000),
  CRITIC_MAX_PATCH_BYTES: wholeNumber(256_000, 1_000, 10_000_000),
  CRITIC_CONCURRENCY: wholeNumber(4, 1, 256),
  CRITIC_INSTALLATION_CONCURRENCY: wholeNumber(0, 0, 256),
  CRITIC_ANALYSIS_THREADS: wholeNumber(-1, 0, 256),
  CRITIC_ANALYSIS_TIMEOUT_MS: wholeNumber(30_000, 100, 600_000),
  CRITIC_ANALYSIS_MEMORY_MB: wholeNumber(512, 64, 16_384),
  CRITIC_DAILY_BUDGET_TOKENS: wholeNumber(0, 0, 1_000_000_000_000),
  CRITIC_DAILY_BUDGET_USD: dollars,
  CRITIC_COMMANDS_PER_HOUR: wholeNumber(10, 1, 10_000),
  REDIS_URL: url,
  CRITIC_REDIS_PREFIX: optionalString.transform((v) => v ?? "critic"),
  CRITIC_DEBOUNCE_MS: wholeNumber(1_000, 0, 600_000),
  CRITIC_PR_LOCK_MS: wholeNumber(30_000, 500, 600_000),
  CRITIC_REVIEWS_PER_MINUTE: wholeNumber(0, 0, 100_000),
  CRITIC_WORKER_PORT: wholeNumber(0, 0, 65_535),
  GITHUB_TOKENS: commaList,
  GITHUB_WRITE_LIMITS: writeLimits,
  GHE_HOST: optionalString,
  GH_ORG: optionalString,
  WEBHOOK_PROXY_URL: url,
  GHE_PROTOCOL: z
    .enum(["https", "http"])
    .optional()
    .transform((v) => v ?? "https"),
  CRITIC_API_KEYS: commaList,
  CRITIC_API_REQUESTS_PER_MINUTE: wholeNumber(30, 1, 100_000),
  CRITIC_DATA_DIR: optionalString.transform((v) => v ?? ".critic-data"),
  CRITIC_ASSESS_MAX_FILES: wholeNumber(150, 1, 10_000),
  CRITIC_ASSESS_MAX_TOKENS: wholeNumber(200_000, 1_000, 5_000_000),
  CRITIC_ASSESS_MAX_QUEUED: wholeNumber(20, 1, 10_000),
  CRITIC_ASSESS_RETENTION_DAYS: wholeNumber(7, 1, 3_650),
  CRITIC_API_AUTH_FAILURES_PER_MINUTE: wholeNumber(10, 1, 10_000),
  CRITIC_TRUSTED_PROXIES: commaList,
  CRITIC_CONFIG_PATH: configPath,
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      try {
        const parsed = new URL(v.trim());
        if (parsed.protocol === "postgres:" || parsed.protocol === "postgresql:") return v.trim();
      } catch {
        // reported below
      }
      ctx.addIssue({
        code: "custom",
        // The value is not echoed: it can hold a password.
        message: "must be a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/critic",
      });
      return z.NEVER;
    }),
  CRITIC_HISTORY_RETENTION_DAYS: wholeNumber(90, 0, 3_650),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  CRITIC_CONSOLE_OPERATORS: commaList,
  CRITIC_CONSOLE_SESSION_HOURS: wholeNumber(12, 1, 720),
  HOST: optionalString.transform((v) => v ?? "localhost"),
  // Probot's rule: PORT=0 or no PORT listens on 3000.
  PORT: wholeNumber(3000, 0, 65_535).transform((v) => v || 3000),
  LOG_LEVEL: z
    .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
    .optional()
    .catch(undefined),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional().catch(undefined),
  NODE_ENV: optionalString,
});

/** The variables Critic reads itself (Probot reads its own: APP_ID, PORT, GHE_HOST, …). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/** Everything Critic reads from its environment, validated once at start-up. */
export type AppEnv = {
  appId: number;
  /** Values that must never appear in a comment, prompt or log line. */
  secrets: string[];
  openai: { apiKey: string | undefined; baseURL: string | undefined; model: string };
  gemini: { apiKey: string | undefined; baseURL: string | undefined; model: string };
  providers: ProviderId[];
  llmTimeoutMs: number;
  retry: { retries: number; baseDelayMs: number; maxDelayMs: number };
  llmConcurrency: number;
  breaker: { threshold: number; coolDownMs: number };
  cacheEntries: number;
  maxRequestTokens: number;
  /** Operator's prices, merged over the built-in table. */
  prices: Record<string, { input: number; output: number }>;
  maxOutputTokens: number;
  maxPromptTokens: number;
  maxPatchBytes: number;
  concurrency: number;
  /** Reviews of one installation running at once (in one process, and across workers). */
  installationConcurrency: number;
  /**
   * Worker threads for the analysis (secrets, static checks) in the server and workers; 0 runs it
   * in the main thread. Each file has `timeoutMs` and `memoryMb`.
   */
  analysis: { threads: number; timeoutMs: number; memoryMb: number };
  /** Model spend one installation may have per UTC day; 0 is no cap. */
  dailyBudget: { tokens: number; usd: number };
  /** Model-spending commands (`/review`, `/ask`) one user may run per repository per hour. */
  commandsPerHour: number;
  /** Redis mode (receivers + workers over BullMQ); undefined runs everything in this process. */
  redis:
    | {
        url: string;
        prefix: string;
        debounceMs: number;
        lockMs: number;
        /** Reviews started per minute across all workers (0: no limit), to stay within a provider's quota. */
        reviewsPerMinute: number;
        /** Where a worker serves /metrics and /healthz (0: it serves nothing). */
        workerPort: number;
      }
    | undefined;
  /** The operator's own tokens, rotated for reads of public repositories (see token-pool.ts). */
  githubTokens: string[];
  /** GitHub's REST API: api.github.com, or `GHE_HOST`'s (Probot reads the same variables). */
  github: {
    apiBaseUrl: string;
    /** Where people open GitHub's pages (github.com, or the GHE host): App registration. */
    webUrl: string;
    /** Register the App under this organisation instead of the user's account. */
    org: string | undefined;
    /** A smee.io channel that forwards deliveries to this server (local development). */
    webhookProxyUrl: string | undefined;
    /** Each installation's content writes, at most this many per span (GitHub's secondary limits). */
    writeLimits: WriteLimits;
  };
  /** The HTTP API (assessments, single-file reviews); off while `keys` is empty. */
  api: {
    keys: string[];
    requestsPerMinute: number;
    /** Where assessments are kept in the embedded default. */
    dataDir: string;
    assessMaxFiles: number;
    assessMaxTokens: number;
    /** Queued and running assessments at most; more are refused with 429. */
    assessMaxQueued: number;
    /** Finished assessments are deleted after this long. */
    assessRetentionMs: number;
    /** Failed authentications a client address may make per minute before 429. */
    authFailuresPerMinute: number;
    /** Proxies whose X-Forwarded-For is believed. */
    trustedProxies: string[];
  };
  /**
   * The web console (`/console`): people sign in with GitHub through the App's OAuth credentials;
   * the GitHub logins in `operators` see the operator dashboard. Without an App, an API key signs in.
   */
  console: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    /** Lower-cased GitHub logins. */
    operators: string[];
    sessionMs: number;
  };
  /** Where each repository's configuration lives (default `.github/critic.yml`). */
  configPath: string;
  /**
   * Critic's database (review history): PostgreSQL at `databaseUrl` when set, else an embedded
   * SQLite file in `dataDir`. `retentionDays` 0 keeps no history and opens no database.
   */
  store: { databaseUrl: string | undefined; dataDir: string; retentionDays: number };
  /** Where the webhook server listens (`HOST`, `PORT`). */
  server: { host: string; port: number };
  /** The secret webhook deliveries are signed with; Probot's server defaulted to "development". */
  webhookSecret: string;
  /** Probot's variables: `LOG_LEVEL` (info), `LOG_FORMAT` (json in production, else pretty). */
  log: { level: LogLevel; format: "json" | "pretty" };
};

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** A private key given base64-encoded (Probot accepts that form) is registered decoded too. */
function decodedPrivateKey(value: string | undefined): string | undefined {
  if (!value || value.includes("-----BEGIN")) return undefined;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  return decoded.includes("-----BEGIN") ? decoded : undefined;
}

/** The password in a `redis://user:password@host` URL. */
function urlPassword(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const password = new URL(value).password;
  return password ? decodeURIComponent(password) : undefined;
}

/**
 * Reads and validates the environment. This is the only module that reads `process.env`; tests
 * pass a literal. Every problem is reported at once, naming the variable and what it should be.
 */
export function readEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".")} ${i.message}`);
    throw new Error(
      `[critic] invalid environment; fix these variables (see .env.example):\n${lines.join("\n")}`,
    );
  }
  const e = result.data;
  return {
    appId: e.APP_ID,
    secrets: [
      e.WEBHOOK_SECRET,
      e.PRIVATE_KEY,
      decodedPrivateKey(e.PRIVATE_KEY),
      urlPassword(e.REDIS_URL),
      urlPassword(e.DATABASE_URL),
      e.OPENAI_API_KEY,
      e.GEMINI_API_KEY,
      e.GITHUB_CLIENT_SECRET,
      // Whoever holds a smee.io channel's URL reads every delivery sent through it.
      e.WEBHOOK_PROXY_URL,
      ...e.GITHUB_TOKENS,
      ...e.CRITIC_API_KEYS,
    ].filter((v): v is string => v !== undefined),
    openai: { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL },
    gemini: { apiKey: e.GEMINI_API_KEY, baseURL: e.GEMINI_BASE_URL, model: e.GEMINI_MODEL },
    providers: e.CRITIC_PROVIDERS,
    llmTimeoutMs: e.CRITIC_LLM_TIMEOUT_MS,
    retry: {
      retries: e.CRITIC_LLM_RETRIES,
      baseDelayMs: e.CRITIC_LLM_RETRY_BASE_MS,
      maxDelayMs: e.CRITIC_LLM_RETRY_MAX_MS,
    },
    llmConcurrency: e.CRITIC_LLM_CONCURRENCY,
    breaker: { threshold: e.CRITIC_BREAKER_THRESHOLD, coolDownMs: e.CRITIC_BREAKER_COOLDOWN_MS },
    cacheEntries: e.CRITIC_CACHE_ENTRIES,
    maxRequestTokens: e.CRITIC_MAX_REQUEST_TOKENS,
    prices: e.CRITIC_PRICES,
    maxOutputTokens: e.CRITIC_MAX_OUTPUT_TOKENS,
    maxPromptTokens: e.CRITIC_MAX_PROMPT_TOKENS,
    maxPatchBytes: e.CRITIC_MAX_PATCH_BYTES,
    concurrency: e.CRITIC_CONCURRENCY,
    dailyBudget: { tokens: e.CRITIC_DAILY_BUDGET_TOKENS, usd: e.CRITIC_DAILY_BUDGET_USD },
    analysis: {
      // One core stays the main thread's: it answers webhooks while the others analyse.
      threads:
        e.CRITIC_ANALYSIS_THREADS >= 0
          ? e.CRITIC_ANALYSIS_THREADS
          : Math.max(1, availableParallelism() - 1),
      timeoutMs: e.CRITIC_ANALYSIS_TIMEOUT_MS,
      memoryMb: e.CRITIC_ANALYSIS_MEMORY_MB,
    },
    // Half the slots by default (at least one): one installation's burst leaves room for others.
    installationConcurrency: Math.min(
      e.CRITIC_CONCURRENCY,
      e.CRITIC_INSTALLATION_CONCURRENCY || Math.max(1, Math.ceil(e.CRITIC_CONCURRENCY / 2)),
    ),
    commandsPerHour: e.CRITIC_COMMANDS_PER_HOUR,
    redis: e.REDIS_URL
      ? {
          url: e.REDIS_URL,
          prefix: e.CRITIC_REDIS_PREFIX,
          debounceMs: e.CRITIC_DEBOUNCE_MS,
          lockMs: e.CRITIC_PR_LOCK_MS,
          reviewsPerMinute: e.CRITIC_REVIEWS_PER_MINUTE,
          workerPort: e.CRITIC_WORKER_PORT,
        }
      : undefined,
    githubTokens: e.GITHUB_TOKENS,
    github: {
      apiBaseUrl: e.GHE_HOST
        ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3`
        : "https://api.github.com",
      webUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}` : "https://github.com",
      org: e.GH_ORG,
      webhookProxyUrl: e.WEBHOOK_PROXY_URL,
      writeLimits: e.GITHUB_WRITE_LIMITS,
    },
    api: {
      keys: e.CRITIC_API_KEYS,
      requestsPerMinute: e.CRITIC_API_REQUESTS_PER_MINUTE,
      dataDir: e.CRITIC_DATA_DIR,
      assessMaxFiles: e.CRITIC_ASSESS_MAX_FILES,
      assessMaxTokens: e.CRITIC_ASSESS_MAX_TOKENS,
      assessMaxQueued: e.CRITIC_ASSESS_MAX_QUEUED,
      assessRetentionMs: e.CRITIC_ASSESS_RETENTION_DAYS * 86_400_000,
      authFailuresPerMinute: e.CRITIC_API_AUTH_FAILURES_PER_MINUTE,
      trustedProxies: e.CRITIC_TRUSTED_PROXIES,
    },
    console: {
      clientId: e.GITHUB_CLIENT_ID,
      clientSecret: e.GITHUB_CLIENT_SECRET,
      operators: e.CRITIC_CONSOLE_OPERATORS.map((login) => login.toLowerCase()),
      sessionMs: e.CRITIC_CONSOLE_SESSION_HOURS * 3_600_000,
    },
    configPath: e.CRITIC_CONFIG_PATH,
    store: {
      databaseUrl: e.DATABASE_URL,
      dataDir: e.CRITIC_DATA_DIR,
      retentionDays: e.CRITIC_HISTORY_RETENTION_DAYS,
    },
    server: { host: e.HOST, port: e.PORT },
    webhookSecret: e.WEBHOOK_SECRET ?? "development",
    log: {
      level: e.LOG_LEVEL ?? "info",
      format: e.LOG_FORMAT ?? (e.NODE_ENV === "production" ? "json" : "pretty"),
    },
  };
}

/**
 * The environment inside a GitHub Action: the Action's inputs under Critic's names (see
 * action-inputs.ts), and the workflow's token kept out of every comment, prompt and log line.
 */
/** What the Actions runner gives the step: the workflow's token and the event, by file. */
export type ActionRun = {
  token: string | undefined;
  runId: string | undefined;
  eventName: string | undefined;
  eventPath: string | undefined;
};

export function readActionRun(env: NodeJS.ProcessEnv = process.env): ActionRun {
  return {
    token: actionToken(env),
    runId: env.GITHUB_RUN_ID || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    eventPath: env.GITHUB_EVENT_PATH || undefined,
  };
}

export function readActionEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const appEnv = readEnv(fromActionInputs(env));
  const token = actionToken(env);
  return token ? { ...appEnv, secrets: [...appEnv.secrets, token] } : appEnv;
}

/**
 * Loads `.env` from `cwd` into the process environment, as Probot's `run()` does, but early
 * enough for `readEnv()` to see it. Variables already set win over the file.
 */
export function loadDotEnv(cwd: string = process.cwd()): void {
  const path = join(cwd, ".env");
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The App's private key from the process environment (see `readPrivateKey`). */
export function readAppPrivateKey(): PrivateKeyResult {
  return readPrivateKey(process.env);
}

/**
 * An environment with a `.env` file's variables beneath it (those already set win): the given
 * one, else the process's. The file's text is parsed here, never loaded into `process.env`.
 */
export function environmentWith(
  dotenvText: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return dotenvText === undefined ? env : { ...parseEnv(dotenvText), ...env };
}

/**
 * The environment of a child process Critic starts (the analysis processes): the search path
 * alone and what the caller adds, never a credential of the server's.
 */
export function childEnvironment(
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { PATH: process.env.PATH ?? "", ...extra };
}
