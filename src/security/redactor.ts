const PLACEHOLDER = "[REDACTED]";

/** Values shorter than this are not registered: redacting "abc" everywhere would mangle text. */
const MIN_SECRET_LENGTH = 8;
/** A line of a multi-line secret (a private key's body) shorter than this is not registered. */
const MIN_LINE_LENGTH = 16;

/**
 * The operator's own secrets (API keys, tokens, the webhook secret, the App's private key),
 * registered at start-up and as they are minted. Every text Critic sends out (comments, prompts,
 * log lines) passes `redact()` last, so a key that leaks into an error message, a committed file
 * or a diff's context lines never reaches a pull request, a provider or a log.
 */
export type Redactor = {
  redact(text: string): string;
  add(value: string | undefined): void;
  /** The values as registered (a worker thread builds its own registry from them). */
  values(): string[];
};

export function createRedactor(values: ReadonlyArray<string | undefined> = []): Redactor {
  const secrets = new Set<string>();
  const registered = new Set<string>();
  const register = (form: string, min = MIN_SECRET_LENGTH) => {
    if (form.length >= min) secrets.add(form);
  };
  const add = (given: string | undefined) => {
    const value = given?.trim();
    if (value === undefined || value.length < MIN_SECRET_LENGTH || registered.has(value)) return;
    registered.add(value);
    for (const form of encodings(value)) register(form);
    // A diff shows a file line by line: each line of a private key can be all a hunk holds of it.
    if (value.includes("\n"))
      for (const line of value.split(/\r?\n/)) register(line.trim(), MIN_LINE_LENGTH);
  };
  for (const v of values) add(v);
  return {
    add,
    values: () => [...registered],
    redact(text) {
      let out = text;
      for (const secret of secrets) {
        if (out.includes(secret)) out = out.split(secret).join(PLACEHOLDER);
      }
      return out;
    },
  };
}

/**
 * The forms a secret is written in besides itself: JSON-escaped (a log line), hex, and base64 and
 * base64url at each of the three byte alignments, so it is found inside a longer encoded text such
 * as `Basic base64("user:" + key)`. Each base64 form keeps only the characters that depend on the
 * secret alone.
 */
function encodings(value: string): string[] {
  const bytes = Buffer.from(value);
  const forms = [value, JSON.stringify(value).slice(1, -1), bytes.toString("hex")];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    // Characters that mix in the padding bytes before, or whatever follows the secret, are cut.
    const core = encoded.slice(shift === 0 ? 0 : 4, -4);
    forms.push(shift === 0 ? encoded : core, core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return forms;
}
