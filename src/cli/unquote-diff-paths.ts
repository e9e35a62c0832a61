import type { ChangedFile } from "../model/types.js";

// A header line that names a file and holds a `\`, so maybe a C-quoted name: `+++ "b/we\"ird.js"`.
const HEADER = /^(?:diff --git |--- |\+\+\+ |rename from |rename to |copy from |copy to ).*\\.*$/gm;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
// git's escapes (quote.c `cq_lookup`): these letters, `\"`, `\\`, and three octal digits a byte.
const ESCAPED = /\\([0-7]{3})|\\(.)|[^\\]+/gsu;
const LETTERS: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13 };

/**
 * The files with their real names. In a patch's headers git C-quotes a name holding a tab, a
 * newline, `"`, `\` or another control character, whatever `core.quotePath` says (`-z` applies to
 * `--raw` and `--name-*` output only), and the shared diff parser keeps the escapes: `we"ird.js`
 * would be reported as `we\"ird.js` and looked up in git under that name. An unquoted name in
 * git's output never holds a `\`, so a parsed name with one that a quoted header spells is the
 * quoted one.
 */
export function unquoteDiffPaths(files: ChangedFile[], diff: string): ChangedFile[] {
  const real = new Map<string, string>();
  for (const [line] of diff.matchAll(HEADER)) {
    for (const [quoted, inner = ""] of line.matchAll(QUOTED)) {
      if (!inner.includes("\\")) continue;
      const name = unquote(inner);
      // The parser keeps `rename to "…"` whole, and strips `a/` or `b/` from the others.
      real.set(quoted, name);
      real.set(inner, name);
      if (/^[ab]\//.test(inner)) real.set(inner.slice(2), name.slice(2));
    }
  }
  if (real.size === 0) return files;
  return files.map((file) => ({
    ...file,
    path: real.get(file.path) ?? file.path,
    ...(file.previousPath === undefined
      ? {}
      : { previousPath: real.get(file.previousPath) ?? file.previousPath }),
  }));
}

/** `we\"ird.js` → `we"ird.js`; octal escapes are bytes of the UTF-8 name. */
function unquote(inner: string): string {
  const parts: Buffer[] = [];
  for (const [token, octal, letter] of inner.matchAll(ESCAPED)) {
    const code = octal === undefined ? LETTERS[letter ?? ""] : Number.parseInt(octal, 8) & 0xff;
    parts.push(code === undefined ? Buffer.from(letter ?? token, "utf8") : Buffer.from([code]));
  }
  return Buffer.concat(parts).toString("utf8");
}
