import { createPrivateKey } from "node:crypto";
import { getPrivateKey } from "@probot/get-private-key";

export type PrivateKeyResult =
  | { ok: true; key: string }
  | { ok: false; missing: true }
  | { ok: false; missing: false; message: string };

/**
 * The App's private key, wherever and however it was written: `PRIVATE_KEY` as PEM text with
 * real newlines or `\n` escapes, base64, or wrapped in the quotes Probot writes into `.env`
 * (which `docker run --env-file` passes on literally); else `PRIVATE_KEY_PATH` or one `*.pem`
 * file in `cwd`. The key is parsed here, so a damaged one stops start-up with a message instead
 * of failing every GitHub call later with "Invalid character".
 */
export function readPrivateKey(env: NodeJS.ProcessEnv, cwd?: string): PrivateKeyResult {
  const raw = env.PRIVATE_KEY?.trim();
  const unquoted = raw && /^(["']).*\1$/s.test(raw) ? raw.slice(1, -1).trim() : raw;
  let key: string | null;
  try {
    key = getPrivateKey({
      env: { ...env, PRIVATE_KEY: unquoted || undefined },
      ...(cwd ? { cwd } : {}),
    });
  } catch (error) {
    return { ok: false, missing: false, message: messageOf(error) };
  }
  if (key === null) return { ok: false, missing: true };
  try {
    createPrivateKey(key);
  } catch (error) {
    return {
      ok: false,
      missing: false,
      message: `the App's private key does not parse as a PEM key (${messageOf(error)}): paste the .pem file's text, or set PRIVATE_KEY_PATH to the file`,
    };
  }
  return { ok: true, key };
}

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(
    /^\[@probot\/get-private-key\] /,
    "",
  );
