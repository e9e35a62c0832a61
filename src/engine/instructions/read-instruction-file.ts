import { globsOf, parseFrontMatter } from "./front-matter.js";
import {
  FIXED_PATHS,
  INSTRUCTION_FOLDERS,
  type InstructionFile,
  MAX_INSTRUCTION_BYTES,
  NEAREST_NAMES,
} from "./instruction-set.js";

/**
 * A file's text as Critic keeps it: a byte-order mark and carriage returns gone, control
 * characters other than tab and newline removed (they hide text from a reader, not from a
 * model), and cut to `maxBytes` of UTF-8 on a character boundary.
 */
export function cleanText(
  text: string,
  maxBytes = MAX_INSTRUCTION_BYTES,
): { text: string; truncated: boolean } {
  // Cut first (generously, in characters) so a huge text is not cleaned whole.
  const head = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  const cleaned = head
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, "");
  const bytes = Buffer.from(cleaned, "utf8");
  if (bytes.length <= maxBytes) return { text: cleaned, truncated: head.length < text.length };
  // Back off to the start of a UTF-8 character.
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString("utf8"), truncated: true };
}

/**
 * One file read from the base commit, as an instruction: which files it applies to, by its
 * path's convention and its front matter. `undefined` when it does not apply on its own:
 * - a Cursor rule with neither `globs` nor `alwaysApply: true` (Cursor attaches it only when
 *   asked for by name or by its agent);
 * - a Copilot `*.instructions.md` without `applyTo`, or whose `excludeAgent` is `code-review`;
 * - a text that is empty, or only a path (a symbolic link as Git stores it, e.g. a CLAUDE.md
 *   linked to AGENTS.md) or only `@file` imports (Claude's way to include AGENTS.md, read anyway).
 */
export function readInstructionFile(path: string, raw: string): InstructionFile | undefined {
  const { text: cleaned, truncated } = cleanText(raw);
  const name = path.slice(path.lastIndexOf("/") + 1);
  const folder = INSTRUCTION_FOLDERS.find(
    (f) => path.startsWith(`${f.dir}/`) && name.endsWith(f.suffix),
  );
  if (folder) {
    const { data, body } = parseFrontMatter(cleaned);
    const text = body.trim();
    if (text === "") return undefined;
    if (folder.suffix === ".mdc") {
      const globs = globsOf(data.get("globs"));
      if (String(data.get("alwaysApply")).toLowerCase() === "true")
        return { path, kind: "repository", text, truncated };
      return globs.length > 0 ? { path, kind: "globs", globs, text, truncated } : undefined;
    }
    if (globsOf(data.get("excludeAgent")).includes("code-review")) return undefined;
    const globs = globsOf(data.get("applyTo"));
    if (globs.length === 0) return undefined;
    if (globs.includes("**") || globs.includes("**/*"))
      return { path, kind: "repository", text, truncated };
    return { path, kind: "globs", globs, text, truncated };
  }
  const text = cleaned.trim();
  if (text === "" || /^[\w@./-]+\.mdc?$/i.test(text) || /^(@\S+\s*)+$/.test(text)) return undefined;
  if ((NEAREST_NAMES as readonly string[]).includes(name))
    return { path, kind: "nearest", text, truncated };
  if ((FIXED_PATHS as readonly string[]).includes(path))
    return { path, kind: "repository", text, truncated };
  return undefined;
}
