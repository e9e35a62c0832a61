import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/config-json-schema.js";
import { ENV_VARIABLES, loadDotEnv, readEnv } from "../../src/config/env.js";
import { defaultRepoConfig } from "../../src/config/repo-config.schema.js";
import { resolveRepoConfig } from "../../src/config/resolve-repo-config.js";

describe("config/resolve-repo-config", () => {
  it("merges org then repo files, later wins, arrays replaced rather than concatenated", () => {
    const { config, errors } = resolveRepoConfig([
      {
        label: "Org/.github:.github/critic.yml",
        config: { exclude: ["docs/**"], level: "senior", max_comments: 10 },
      },
      {
        label: ".github/critic.yml",
        config: { _extends: ".github", exclude: ["*.md"], max_comments: 5 },
      },
    ]);

    expect(errors).toEqual([]);
    expect(config).toEqual({
      ...defaultRepoConfig(),
      exclude: ["*.md"],
      level: "senior",
      max_comments: 5,
    });
  });

  it("names the file and the key of a bad value, and falls back to the defaults", () => {
    const { config, errors } = resolveRepoConfig([
      { label: "Org/.github:.github/critic.yml", config: { max_comments: 500 } },
      { label: ".github/critic.yml", config: { level: "guru", maxComments: 3 } },
    ]);

    expect(config).toEqual(defaultRepoConfig());
    expect(errors).toHaveLength(3);
    expect(errors.join("\n")).toContain("Org/.github:.github/critic.yml: `max_comments`");
    expect(errors.join("\n")).toContain(".github/critic.yml: `level`");
    expect(errors.join("\n")).toContain(".github/critic.yml: `maxComments`");
  });

  it("uses the defaults when no file exists", () => {
    expect(resolveRepoConfig([{ label: "x", config: null }])).toMatchObject({
      config: defaultRepoConfig(),
      errors: [],
    });
  });

  it("keeps critic.schema.json in step with the schema (run `npm run schema` after changing it)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../critic.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(configJsonSchema());
  });
});

describe("config/env", () => {
  it("documents every variable in .env.example and README.md", async () => {
    const example = await readFile(new URL("../../.env.example", import.meta.url), "utf8");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");

    expect(ENV_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, "m").test(example))).toEqual([]);
    expect(ENV_VARIABLES.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });

  it("documents every .github/critic.yml key in README.md", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const keys = Object.keys(
      (configJsonSchema() as { properties: Record<string, unknown> }).properties,
    ).filter((k) => k !== "_extends");

    expect(keys.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  });

  it("loads .env like Probot does, without overriding what the environment already sets", async () => {
    const dir = await mkdtemp(join(tmpdir(), "critic-env-"));
    await writeFile(join(dir, ".env"), "CRITIC_TEST_FROM_FILE=file\nCRITIC_TEST_SET_TWICE=file\n");
    process.env.CRITIC_TEST_SET_TWICE = "environment";
    try {
      loadDotEnv(dir);
      expect([process.env.CRITIC_TEST_FROM_FILE, process.env.CRITIC_TEST_SET_TWICE]).toEqual([
        "file",
        "environment",
      ]);
      expect(() => loadDotEnv(join(dir, "missing"))).not.toThrow();
    } finally {
      delete process.env.CRITIC_TEST_FROM_FILE;
      delete process.env.CRITIC_TEST_SET_TWICE;
    }
  });

  it("registers the secrets hidden in other variables, and never echoes a bad URL", () => {
    const pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3\n-----END RSA PRIVATE KEY-----";
    const env = readEnv({
      REDIS_URL: "redis://:s3cret%2FPassw0rd@127.0.0.1:6379",
      PRIVATE_KEY: Buffer.from(pem).toString("base64"),
    });

    expect(env.secrets).toContain("s3cret/Passw0rd");
    expect(env.secrets).toContain(pem);
    expect(() => readEnv({ OPENAI_BASE_URL: "not a url with hunter2-password" })).toThrow(
      /OPENAI_BASE_URL must be an absolute URL/,
    );
    expect(() => readEnv({ OPENAI_BASE_URL: "not a url with hunter2-password" })).not.toThrow(
      /hunter2/,
    );
  });

  it("gives defaults that review with static checks when nothing is set", () => {
    const env = readEnv({});

    expect(env).toMatchObject({
      appId: 0,
      providers: ["openai", "gemini", "static"],
      llmTimeoutMs: 60000,
      concurrency: 4,
      secrets: [],
    });
    expect(env.openai).toEqual({ apiKey: undefined, baseURL: undefined, model: "gpt-4.1-mini" });
  });

  it("registers keys as secrets and normalises URLs", () => {
    const env = readEnv({
      OPENAI_API_KEY: " sk-abc ",
      OPENAI_BASE_URL: "http://127.0.0.1:8080/v1/",
      WEBHOOK_SECRET: "whsec",
    });

    expect(env.secrets).toEqual(["whsec", "sk-abc"]);
    expect(env.openai.baseURL).toBe("http://127.0.0.1:8080/v1");
  });

  it("reports every bad variable at once, saying what to set", () => {
    expect(() =>
      readEnv({
        CRITIC_CONCURRENCY: "lots",
        CRITIC_PROVIDERS: "openai,claude",
        OPENAI_BASE_URL: "not a url",
      }),
    ).toThrowError(
      /CRITIC_PROVIDERS names unknown providers claude[\s\S]*CRITIC_CONCURRENCY must be a whole number from 1 to 256 \(got "lots"\)/,
    );
    expect(() => readEnv({ OPENAI_BASE_URL: "not a url" })).toThrowError(
      /OPENAI_BASE_URL must be an absolute URL/,
    );
  });
});
