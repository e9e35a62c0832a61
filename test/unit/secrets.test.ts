import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { sanitizeFiles } from "../../src/engine/sanitize/sanitize-files.js";
import { createRedactor } from "../../src/security/redactor.js";
import { maskSecret, redactSpans, scanSecrets } from "../../src/security/scan-secrets.js";

// Synthetic credentials in each provider's format; none is real.
const SAMPLES: Array<[string, string, string]> = [
  [
    "GitHub token",
    'const t = "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";',
    "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",
  ],
  ["AWS access key id", 'aws_id = "AKIAIOSFODNN7REALKEY"', "AKIAIOSFODNN7REALKEY"],
  [
    "AWS secret key",
    'AWS_SECRET_ACCESS_KEY = "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"',
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzzKEYabc",
  ],
  [
    "Slack token",
    'slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"',
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  ],
  [
    "Stripe live key",
    'stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"',
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
  ],
  [
    "Google API key",
    'maps = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"',
    "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
  ],
  [
    "database URL with password",
    'url = "postgres://app:hunter2hunter2@db.internal:5432/app"',
    "hunter2hunter2",
  ],
  [
    "private key header",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
  ],
];

describe("security/scan-secrets", () => {
  it.each(SAMPLES)("finds and fully redacts a %s", async (_kind, text, secret) => {
    const spans = await scanSecrets(text);

    expect(spans.length).toBeGreaterThan(0);
    expect(redactSpans(text, spans)).not.toContain(secret);
    expect(redactSpans(text, spans)).toContain("[REDACTED]");
  });

  it.each([
    ["ordinary code", "const total = items.reduce((a, b) => a + b, 0);"],
    ["AWS's documentation example key", 'id = "AKIAIOSFODNN7EXAMPLE"'],
    ["an environment lookup", "token = process.env.GITHUB_TOKEN"],
    ["a placeholder password", 'password = "changeme-changeme"'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder text is the test input.
    ["a template placeholder", 'api_key: "${API_KEY_FROM_VAULT}"'],
    ["a low-entropy literal", 'secret_name = "aaaaaaaaaaaaaaaa"'],
    ["a token-named variable holding a word", 'const tokenType = "authorization_code";'],
  ])("finds nothing in %s", async (_kind, text) => {
    expect(await scanSecrets(text)).toEqual([]);
  });

  it("leaves nothing behind in Node's performance timeline, however many scans run", async () => {
    performance.clearMarks();
    for (let i = 0; i < 20; i++) await scanSecrets(`const key = "${i}";`);

    // secretlint 12 would leave marks for every rule of every scan: a leak in a long-lived server.
    expect(performance.getEntriesByType("mark")).toEqual([]);
  });

  it("masks values without revealing their length or most of their characters", () => {
    expect(maskSecret("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")).toBe("ghp_********");
    expect(maskSecret("short")).toBe("********");
  });
});

describe("security/scan-secrets on hostile text", () => {
  it("finds each of 10,000 key ids, one per line", async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `AKIA${String(i).padStart(16, "Z")}`);
    const text = ids.join("\n");

    const spans = await scanSecrets(text);

    expect(spans).toHaveLength(10_000);
    expect(redactSpans(text, spans)).not.toMatch(/AKIA/);
  });

  it("merges thousands of hits inside one long token into one span that covers it", async () => {
    const chain = "eyJhbGciOiJIUzI1NiJ9.".repeat(13_000);
    const text = `const t = "${chain}";`;

    const spans = await scanSecrets(text);

    expect(spans).toHaveLength(1);
    expect(redactSpans(text, spans)).toBe('const t = "[REDACTED]";');
  });

  it("stays quiet on long words that only look like names and tokens", async () => {
    const words = [
      `x = "${"token".repeat(40_000)}"`,
      `export const blob = "${"a".repeat(200_000)}";`,
      `eyJaaaaaaaaaa.${"eyJaaaaaaaaaa-".repeat(10_000)}`,
    ];

    for (const text of words) expect(await scanSecrets(text)).toEqual([]);
  });

  it("still finds a secret after a long line and across secretlint's pieces", async () => {
    const key = "ghp_R8kL2mN9qP4sT7vW1xY3zA5bC6dE0fG2hJ4k";
    const text = `${"var a = 1;\n".repeat(5_000)}${"b".repeat(40_000)}\nconst t = "${key}";\n`;

    const spans = await scanSecrets(text);

    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([key]);
  });
});

describe("engine/sanitize/sanitize-files", () => {
  it("flags secrets on added lines and redacts secrets on every line", async () => {
    const patch =
      '@@ -1,2 +1,3 @@\n const old = "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";\n-x\n+const fresh = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";\n+y';
    const { files, secretFindings } = await prepareFiles([
      { path: "a.js", status: "modified", additions: 2, deletions: 1, patch },
    ]);

    expect(secretFindings).toHaveLength(1);
    expect(secretFindings[0]).toMatchObject({
      path: "a.js",
      line: 2,
      severity: "critical",
      category: "security",
      source: "secrets",
    });
    expect(secretFindings[0]?.message).toContain("`xoxb-********`");
    const text = files[0]?.hunks.flatMap((h) => h.lines.map((l) => l.text)).join("\n");
    expect(text).not.toContain("ghp_aaaa");
    expect(text).not.toContain("AbCdEfGhIjKlMnOpQrStUvWx");
    expect(files[0]?.hunks).toHaveLength(parsePatch(patch).length);
  });

  it("redacts a secret that git copied into a later hunk header", async () => {
    const patch =
      '@@ -1,1 +1,2 @@\n import os\n+AWS_KEY = "AKIAIOSFODNN7REALKEY"\n@@ -40,3 +41,4 @@ AWS_KEY = "AKIAIOSFODNN7REALKEY"\n a\n+b\n c\n d';
    const { files } = await prepareFiles([
      { path: "settings.py", status: "modified", additions: 2, deletions: 0, patch },
    ]);

    expect(JSON.stringify(files)).not.toContain("AKIAIOSFODNN7REALKEY");
    expect(files[0]?.hunks[1]?.section).toBe('AWS_KEY = "[REDACTED]"');
  });

  it("redacts a private key block spread over added lines and flags it once", async () => {
    const patch =
      "@@ -0,0 +1,3 @@\n+-----BEGIN RSA PRIVATE KEY-----\n+MIIEowIBAAKCAQEAx1\n+-----END RSA PRIVATE KEY-----";
    const { secretFindings } = await prepareFiles([
      { path: "key.pem", status: "added", additions: 3, deletions: 0, patch },
    ]);

    expect(secretFindings.map((f) => f.line)).toEqual([1]);
  });
});

function prepareFiles(files: Parameters<typeof sanitizeFiles>[0]) {
  return sanitizeFiles(files, createRedactor());
}

describe("security/redactor", () => {
  it("replaces registered values and their base64 form, ignoring values too short to be secrets", () => {
    const redactor = createRedactor(["sk-operator-key-123", "abc", undefined]);

    expect(redactor.redact("key sk-operator-key-123 and abc")).toBe("key [REDACTED] and abc");
    expect(redactor.redact(Buffer.from("sk-operator-key-123").toString("base64"))).toBe(
      "[REDACTED]",
    );
  });
});

describe("secrets that hide: encoded, unquoted, split or cut", () => {
  const KEY = "sk-operator-9f8e7d6c5b4a39281706";
  const PEM = [
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQYx2eqzDV+xeG8kx/sQFV18S5JhzGeIJN",
    "A72wSeukEPojtqUyX2J0CciPBh7eqclQ2zpAswIDAQABAoIBAHYlXoNuhr5a1Wks",
    "kP2yQVQLNHa0w0ZAN7TU",
    "-----END RSA PRIVATE KEY-----",
  ].join("\n");

  it("replaces a registered secret in its encodings and each line of a multi-line one", () => {
    const redactor = createRedactor([KEY, PEM]);
    const basic = Buffer.from(`admin:${KEY}`).toString("base64");
    const texts = [
      `Authorization: Basic ${basic}`,
      Buffer.from(KEY).toString("base64url"),
      Buffer.from(KEY).toString("hex"),
      `  ${PEM.split("\n")[2]}`,
    ];

    for (const text of texts) expect(redactor.redact(text)).toContain("[REDACTED]");
    expect(redactor.redact(`Basic ${basic}`)).not.toMatch(/[A-Za-z0-9+/]{20,}/);
  });

  it("finds unquoted credentials in env files, YAML, shell and HTTP headers", async () => {
    const values = {
      env: "Zq8pL3vN9xR2tY6wB4mK",
      yaml: "Hk29sLq8Xv3Nz7Pw5Rt1",
      exported: "a7F3kQ9zL2mX8vN4pR6t",
      bearer: "eyJ0eXAi0.Zq8pL3vN9xR2tY6wB4mKHk29sLq8",
      basic: "S3cr3t-Passw0rd!",
    };
    const text = [
      `API_TOKEN=${values.env}`,
      `  password: ${values.yaml}`,
      `export GITHUB_TOKEN=${values.exported}`,
      `curl -H "Authorization: Bearer ${values.bearer}" https://api.example.com`,
      `curl -u admin:${values.basic} https://api.example.com`,
    ].join("\n");

    const redacted = redactSpans(text, await scanSecrets(text));

    for (const value of Object.values(values)) expect(redacted).not.toContain(value);
  });

  it("keeps ordinary code and placeholders", async () => {
    const text = [
      "token = getToken(request)",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a config file's placeholder, as text
      "password: ${DB_PASSWORD}",
      "export API_KEY=$API_KEY",
      "secret: process.env.SECRET_VALUE",
      "curl -u user:password https://example.com",
      // Identifiers assigned in code (axios's bundles held dozens of these).
      "  withXSRFToken: defaultToConfig2,",
      "const accessToken = session.refreshToken2Value;",
      // .env keys that are public by design, or read from elsewhere (Stripe's, Next.js's).
      "STRIPE_PUBLISHABLE_KEY=pk_live_51HxQ2aK9vL3mN8rT7wY1cB6",
      "NEXT_PUBLIC_MAPS_KEY=AIzaSyD-public-browser-key",
      "SIGNING_KEY=$(cat /run/secrets/signing_key)",
      "MONKEY=q8Zx3vL9mN4rT7wY1cB6hJ0d",
    ].join("\n");

    expect(await scanSecrets(text)).toEqual([]);
  });

  it("redacts a private key's body in context lines without its BEGIN line, quietly", async () => {
    const body = PEM.split("\n").slice(1, 3).join("\n");
    const patch = `@@ -10,3 +10,4 @@ values:\n ${body.split("\n")[0]}\n ${body.split("\n")[1]}\n+replicas: 2\n tls: true`;

    const { files, secretFindings } = await sanitizeFiles(
      [{ path: "values.yaml", status: "modified", additions: 1, deletions: 0, patch }],
      createRedactor([]),
    );

    expect(JSON.stringify(files)).not.toContain("MIIEowIBAAKCAQEAq7BFUpkGp3");
    expect(JSON.stringify(files)).not.toContain("A72wSeukEPojtqUyX2J0");
    expect(secretFindings).toEqual([]);
  });

  it("keeps a hunk header to what git would write, whatever a hand-made diff puts there", async () => {
    const patch = `@@ -1,1 +1,2 @@ ${"a".repeat(100_000)}!\n a\n+b`;

    const { files } = await sanitizeFiles(
      [{ path: "a.ts", status: "modified", additions: 1, deletions: 0, patch }],
      createRedactor([]),
    );

    expect(files[0]?.hunks[0]?.section.length).toBeLessThanOrEqual(200);
  });

  it("masks the token a hunk header was cut on", async () => {
    const patch = `@@ -40,3 +41,4 @@ GITHUB_SERVICE_ACCOUNT_TOKEN_FOR_NIGHTLY_BUILDS = "ghp_wWPw5k4aXcaT4fNP0UcnZwJUV\n a\n+b\n c`;

    const { files } = await sanitizeFiles(
      [{ path: "settings.py", status: "modified", additions: 1, deletions: 0, patch }],
      createRedactor([]),
    );

    expect(files[0]?.hunks[0]?.section).not.toContain("wWPw5k4a");
  });

  it("shows a masked secret's well-known prefix only", () => {
    expect(maskSecret("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")).toBe("ghp_********");
    expect(maskSecret("Q7zkP2vX9mL4")).toBe("********");
  });
});

describe("security/scan-secrets: placeholders and unquoted values", () => {
  it.each([
    // Stripe-style test fixtures, as in stripe-node 14.x tests.
    ["a FAKE token", "API_TOKEN=ghp_FAKE0123456789abcdefghijklmnopqrstu"],
    ["a TEST key in a .env file", "PAYMENTS_API_TOKEN=sk_TEST_4eC39HqLyjWDarjtT1zdp7dc9f3a"],
  ])("redacts %s quietly: kept from prompts, not reported", async (_kind, text) => {
    const spans = await scanSecrets(text);

    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((s) => s.quiet === true)).toBe(true);
    expect(redactSpans(text, spans)).toContain("[REDACTED]");
  });

  it.each([
    // A .env file as dotenv 16 reads it, and an .npmrc auth line as npm 10 writes it.
    [".env token", "TOKEN=746b2c0e9f8a41d3b6c57e2a9d0f1c84", "746b2c0e9f8a41d3b6c57e2a9d0f1c84"],
    [
      ".npmrc _authToken",
      "//registry.npmjs.org/:_authToken=npm_k3Jd9QpL2x7VbN4mZ8rT1wYc6HfA0sEe5Gu",
      "npm_k3Jd9QpL2x7VbN4mZ8rT1wYc6HfA0sEe5Gu",
    ],
    // Laravel 10's .env APP_KEY (as `php artisan key:generate` writes it), and a bare *_KEY.
    [
      ".env APP_KEY",
      "APP_KEY=base64:Zk3q9PzX2vL8mN4rT7wY1cB6hJ0dF5gA3sE9uQ2iO8k=",
      "base64:Zk3q9PzX2vL8mN4rT7wY1cB6hJ0dF5gA3sE9uQ2iO8k=",
    ],
    [
      ".env *_KEY",
      "export ENCRYPTION_KEY=8c1f4e7a2b9d05f36e8a1c4b7d2f9e03",
      "8c1f4e7a2b9d05f36e8a1c4b7d2f9e03",
    ],
    [
      "key in a URL query string",
      "fetch(`https://api.example.org/v1/data?api_key=9f8e7d6c5b4a39281706f5e4d3c2b1a0&page=2`)",
      "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ],
  ])("finds and reports an unquoted %s", async (_kind, text, secret) => {
    const spans = await scanSecrets(text);

    expect(spans.some((s) => s.quiet !== true)).toBe(true);
    const redacted = redactSpans(text, spans);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("[REDACTED]");
  });
});
