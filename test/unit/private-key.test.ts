import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPrivateKey } from "../../src/config/private-key.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString()
  .trim();
const escaped = pem.replaceAll("\n", "\\n");
const empty = mkdtempSync(join(tmpdir(), "critic-key-"));

describe("config/private-key", () => {
  it.each([
    ["PEM text with real newlines", pem],
    ["PEM text with \\n escapes", escaped],
    [
      "the quoted, escaped form Probot writes to .env (docker --env-file keeps the quotes)",
      `"${escaped}"`,
    ],
    ["single quotes", `'${pem}'`],
    ["base64", Buffer.from(pem).toString("base64")],
    ["surrounding spaces and a trailing newline", `  ${pem}\n`],
  ])("accepts %s", (_, value) => {
    const result = readPrivateKey({ PRIVATE_KEY: value }, empty);
    expect(result).toEqual({
      ok: true,
      key: expect.stringContaining("-----BEGIN RSA PRIVATE KEY-----\n"),
    });
    if (result.ok) expect(result.key.trim()).toBe(pem);
  });

  it("reads PRIVATE_KEY_PATH", () => {
    const path = join(mkdtempSync(join(tmpdir(), "critic-key-file-")), "app.pem");
    writeFileSync(path, `${pem}\n`);
    const result = readPrivateKey({ PRIVATE_KEY_PATH: path }, empty);
    expect(result.ok && result.key.trim()).toBe(pem);
  });

  it("says the key is missing when there is none", () => {
    expect(readPrivateKey({}, empty)).toEqual({ ok: false, missing: true });
  });

  it("refuses a damaged key with a message, without echoing the key", () => {
    const damaged = pem.replace(/\n[A-Za-z0-9+/]{20}/, "\n!!!!");
    const result = readPrivateKey({ PRIVATE_KEY: damaged }, empty);
    expect(result.ok).toBe(false);
    const message = result.ok || result.missing ? "" : result.message;
    expect(message).toMatch(/does not parse as a PEM key/);
    expect(message).not.toContain(pem.split("\n")[1]);

    const garbage = readPrivateKey({ PRIVATE_KEY: "not a key at all" }, empty);
    expect(garbage.ok || garbage.missing ? "" : garbage.message).toMatch(/PRIVATE_KEY/);
  });
});
