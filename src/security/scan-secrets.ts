import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";

// secretlint 12 profiles every lint, wanted or not: each rule of each scan leaves a
// `performance.mark` in Node's global timeline and an entry in the profiler's array, which its
// observer searches on every mark. In a long-running server that is a leak whose CPU cost grows
// with every scan (`npm run bench -- --only overhead` measured ~1 s per review after 80 reviews).
// Fixed upstream from 13.x (Node 22 only) by making profiling opt-in (secretlint/secretlint#1673);
// until then its marks are switched off here.
secretLintProfiler.mark = () => {};

/**
 * Where a credential sits in a text, by character offsets. A `quiet` span is redacted but not
 * reported on its own (the body lines of a private key whose header is the finding).
 */
export type SecretSpan = { kind: string; start: number; end: number; quiet?: boolean };

const SECRETLINT_CONFIG = {
  rules: [
    {
      id: "@secretlint/secretlint-rule-preset-recommend",
      rule: recommended,
      // A bare AWS access key id is only reported with this switch on.
      rules: [{ id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } }],
    },
  ],
};

// What secretlint's recommended preset (12.0.0) misses: it has no Stripe or Google API key rule,
// and flags private keys only when the body looks real, while a committed key header is reason
// enough to stop and look.
const EXTRA_PATTERNS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
  { kind: "PrivateKey", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: "StripeSecretKey", pattern: /\b[rs]k_live_[0-9A-Za-z]{20,256}/g },
  { kind: "GoogleAPIKey", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    kind: "JSONWebToken",
    // Bounded segments: a run of "-eyJaaaa" words offers a start every few characters, and an
    // open-ended header would scan to the end of the run from each (quadratic).
    pattern: /\beyJ[A-Za-z0-9_-]{8,1024}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{8,1024}/g,
  },
];

// A literal assigned to a name that says it is a credential. Reported only when the value looks
// random (entropy) and not like a placeholder, so `password = "changeme"` in docs stays quiet.
// Every repetition is bounded: on a hostile 200 KB word an open-ended one makes the search
// quadratic (a name is not 64 characters around its keyword, nor a value 512).
const NAMED_LITERAL =
  /\b(?:[A-Za-z0-9_]{0,64}?)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)[A-Za-z0-9_]{0,64}["']?[ \t]{0,16}(?::=|=>|=|:)[ \t]{0,16}["'`](?<value>[^"'`\s]{12,512})["'`]/gi;
// The same, unquoted: `.env` and `.npmrc` lines, YAML, shell exports (`TOKEN=746b…`,
// `password: Zq8p…`, `export API_TOKEN=…`). The value runs to whitespace, a quote or a bracket.
// Also a key in a URL's query string (`?api_key=…&`, `&` ends it) and an .npmrc
// `//registry/:_authToken=…`.
const NAMED_UNQUOTED =
  /(?:^|[\s;,{(?&:])(?:export[ \t]+)?[A-Za-z0-9_.-]{0,64}?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|authtoken)[A-Za-z0-9_.-]{0,64}[ \t]{0,16}(?:=|:)[ \t]{0,16}(?<value>[^\s"'`()[\]{}<>,;&]{12,512})/gim;
// A `.env`/shell line naming a bare key (`APP_KEY=base64:…`, `STRIPE_KEY=…`, `ENCRYPTION_KEY=…`),
// which NAMED_UNQUOTED's words miss: only in that shape, upper-case at a line's start, where `KEY`
// is a word of the name. Keys that say they are public (`STRIPE_PUBLISHABLE_KEY`) are left out.
const ENV_KEY =
  /^[ \t]{0,16}(?:export[ \t]{1,16})?(?<name>(?:[A-Z][A-Z0-9_]{0,64}_)?KEY)[ \t]{0,16}=[ \t]{0,16}["']?(?<value>[^\s"'`#]{16,512})/gm;
const PUBLIC_KEY_NAME = /PUBLIC|PUBLISHABLE/;
// Credentials in HTTP headers and URLs: `Authorization: Bearer …`, `curl -u user:password`.
const BEARER = /\b(?:Bearer|Basic|token)[ \t]+(?<value>[A-Za-z0-9._~+/-]{16,2048}={0,2})/g;
const BASIC_USER = /(?:^|\s)-u[ \t]+[^\s:]{1,64}:(?<value>[^\s"'`]{8,512})/gm;
// A private key's body, line by line: a hunk may show some of it without its BEGIN line. PEM wraps
// at 64 characters; the shorter last line is caught where the END line follows it.
const PEM_BODY = /^[ \t]*(?<value>[A-Za-z0-9+/]{64})[ \t]*$/gm;
const PEM_LAST =
  /^[ \t]*(?<value>[A-Za-z0-9+/]{4,63}={0,2})[ \t]*\r?\n[ \t]*-----END [A-Z0-9 ]*PRIVATE KEY/gm;
const PLACEHOLDER =
  /^(?:\$\{|\$\(|\$[A-Z_]|<|%|\{\{)|example|changeme|placeholder|your[_-]|dummy|redacted|xxxx|\*\*\*\*|^process\.env|^os\.environ|^env\(|^(?:password|pass|secret|token)$/i;

// A credential that says it is not one, from any detector: AWS's `…EXAMPLE` keys, `SAMPLE`,
// `FAKE`, `TEST`, `xxxx`, or one character repeated. It is still redacted (a look-alike may be
// real, and prompts never see either) but reported to nobody.
const PLACEHOLDER_CREDENTIAL =
  /EXAMPLE|SAMPLE|FAKE|TEST|DUMMY|XXXX|xxxx|(?:^|[^A-Za-z])(?:example|sample|fake|dummy)(?:[^A-Za-z]|$)|(.)\1{7}/;

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
  return bits;
}

function namedLiterals(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const found = (pattern: RegExp, kind: string, quiet = false, check = looksGenerated) => {
    for (const match of text.matchAll(pattern)) {
      const value = match.groups?.value ?? "";
      if (!check(value)) continue;
      const start = match.index + match[0].lastIndexOf(value);
      spans.push({ kind, start, end: start + value.length, ...(quiet ? { quiet } : {}) });
    }
  };
  found(NAMED_LITERAL, "HighEntropySecret");
  found(NAMED_UNQUOTED, "HighEntropySecret", false, looksGeneratedUnquoted);
  for (const match of text.matchAll(ENV_KEY)) {
    const value = match.groups?.value ?? "";
    if (PUBLIC_KEY_NAME.test(match.groups?.name ?? "") || !looksGeneratedUnquoted(value)) continue;
    const start = match.index + match[0].lastIndexOf(value);
    spans.push({ kind: "HighEntropySecret", start, end: start + value.length });
  }
  found(BEARER, "AuthorizationCredential");
  found(BASIC_USER, "BasicAuthPassword", false, (v) => !PLACEHOLDER.test(v) && entropy(v) >= 2.5);
  found(PEM_BODY, "PrivateKeyBody", true, () => true);
  found(PEM_LAST, "PrivateKeyBody", true, () => true);
  return spans;
}

/**
 * Unquoted, a value is also what code assigns: `withXSRFToken: defaultToConfig2` in an object
 * literal, `token = session.token1`. A word of identifier characters counts as a secret only
 * when it is digit-heavy, as generated tokens are (a 36-character `ghp_` token has some six
 * digits); one with other characters (`/`, `+`, `=`, `-`) is judged as a quoted value is.
 */
function looksGeneratedUnquoted(value: string): boolean {
  if (!looksGenerated(value)) return false;
  if (/[^A-Za-z0-9_$.]/.test(value)) return true;
  return (value.match(/\d/g)?.length ?? 0) >= 4;
}

/** Generated secrets mix letters and digits and look random; identifiers and words rarely do. */
function looksGenerated(value: string): boolean {
  return (
    !PLACEHOLDER.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3.5
  );
}

// Characters that end a token: a range from secretlint can stop short of the value's end
// (seen with AWSSecretAccessKey), so every span is widened to the whole token.
const TOKEN_END = /[\s"'`,;)\]}>]/;

// secretlint's cost grows faster than the number of secrets it finds (10,000 key ids in one text
// took 7 s, in pieces of 500 lines 0.15 s): it is given the text in pieces of whole lines.
const PIECE_CHARS = 16_000;

/**
 * Finds credentials in `text` with secretlint's recommended preset plus a few patterns it misses.
 * Spans are widened to whole tokens and merged, so redacting them never leaves a tail behind.
 * Linear in the text, whatever it holds.
 */
export async function scanSecrets(text: string): Promise<SecretSpan[]> {
  if (text.length === 0) return [];
  const spans: SecretSpan[] = [];
  for (const piece of pieces(text)) {
    const result = await lintSource({
      source: { content: piece.text, filePath: "/virtual/diff.txt", contentType: "text" },
      options: { config: SECRETLINT_CONFIG, maskSecrets: true, noPhysicFilePath: true },
    });
    for (const m of result.messages)
      spans.push({
        kind: m.messageId,
        start: piece.offset + m.range[0],
        end: piece.offset + m.range[1],
      });
  }
  for (const { kind, pattern } of EXTRA_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      spans.push({ kind, start: match.index, end: match.index + match[0].length });
    }
  }
  for (const span of namedLiterals(text)) spans.push(span);
  return widenAndMerge(text, spans).map((span) =>
    !span.quiet && PLACEHOLDER_CREDENTIAL.test(text.slice(span.start, span.end))
      ? { ...span, quiet: true }
      : span,
  );
}

/** The text in pieces of whole lines of about PIECE_CHARS (a longer line is a piece of its own). */
function* pieces(text: string): Generator<{ text: string; offset: number }> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const lineEnd = text.lastIndexOf("\n", end);
      end =
        lineEnd > start
          ? lineEnd + 1
          : (() => {
              const next = text.indexOf("\n", end);
              return next === -1 ? text.length : next + 1;
            })();
    }
    yield { text: text.slice(start, end), offset: start };
    start = end;
  }
}

/**
 * Widens each span to the end of its token and merges overlaps, in one left-to-right pass: a span
 * that starts inside the previous widened one cannot widen past it, so no character is scanned
 * twice (thousands of spans inside one long token stay linear).
 */
function widenAndMerge(text: string, spans: SecretSpan[]): SecretSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: SecretSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) {
      if (span.end > last.end) last.end = tokenEnd(text, span.end);
      // A merged span is reported when any of its parts is.
      if (!span.quiet) delete last.quiet;
      continue;
    }
    merged.push({ ...span, end: tokenEnd(text, span.end) });
  }
  return merged;
}

function tokenEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !TOKEN_END.test(text[end] ?? " ")) end++;
  return end;
}

export const REDACTED = "[REDACTED]";

/** Replaces every span of `text` with a placeholder. Spans must come from `scanSecrets(text)`. */
export function redactSpans(text: string, spans: readonly SecretSpan[]): string {
  let out = "";
  let cursor = 0;
  for (const span of spans) {
    out += text.slice(cursor, span.start) + REDACTED;
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

/** Shows enough of a secret to find it, never enough to use it. */
export function maskSecret(value: string): string {
  // A well-known prefix says what kind of key it is and gives nothing away; anything else, even
  // four characters, is a part of the secret (and masked findings are quoted to models).
  const prefix =
    /^(?:AKIA|ASIA|ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|xox[abprs]-|sk-|sk_live_|rk_live_|AIza|eyJ|-----BEGIN)/.exec(
      value,
    )?.[0];
  return `${prefix ?? ""}${"*".repeat(8)}`;
}
