const PLACEHOLDER = "[REDACTED]";

/** Values shorter than this are not registered: redacting "abc" everywhere would mangle text. */
const MIN_SECRET_LENGTH = 8;

/**
 * The operator's own secrets (API keys, tokens, the webhook secret), registered once at start-up.
 * Every text Critic sends out (comments, prompts, log lines it builds) passes `redact()` last, so
 * a key that leaks into an error message never reaches a pull request or a provider.
 */
export type Redactor = { redact(text: string): string; add(value: string | undefined): void };

export function createRedactor(values: ReadonlyArray<string | undefined> = []): Redactor {
  const secrets = new Set<string>();
  const add = (value: string | undefined) => {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    secrets.add(value);
    secrets.add(Buffer.from(value).toString("base64"));
    // A value with newlines or quotes (a private key) appears escaped inside a JSON log line.
    secrets.add(JSON.stringify(value).slice(1, -1));
  };
  for (const v of values) add(v);
  return {
    add,
    redact(text) {
      let out = text;
      for (const secret of secrets) {
        if (out.includes(secret)) out = out.split(secret).join(PLACEHOLDER);
      }
      return out;
    },
  };
}
