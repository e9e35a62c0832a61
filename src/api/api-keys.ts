import { createHash, timingSafeEqual } from "node:crypto";

export type ApiKeys = {
  readonly enabled: boolean;
  /** The key's id (a short hash prefix, safe to log) when `authorization` carries a valid key. */
  verify(authorization: string | undefined): string | undefined;
};

const sha256 = (text: string) => createHash("sha256").update(text).digest();

/**
 * API keys from `CRITIC_API_KEYS`: each entry a key, or `sha256:<hex>` of a key so the
 * environment need not hold the key itself. Only hashes are kept; a presented key is hashed and
 * compared with every stored hash in constant time, so neither timing nor an early exit tells
 * how close a guess was.
 */
export function createApiKeys(entries: readonly string[]): ApiKeys {
  const hashes = entries.map((entry) =>
    /^sha256:[0-9a-f]{64}$/i.test(entry) ? Buffer.from(entry.slice(7), "hex") : sha256(entry),
  );
  return {
    enabled: hashes.length > 0,
    verify(authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
      if (!match?.[1]) return undefined;
      const presented = sha256(match[1]);
      let found: Buffer | undefined;
      for (const hash of hashes) if (timingSafeEqual(hash, presented)) found = hash;
      return found?.toString("hex").slice(0, 12);
    },
  };
}
