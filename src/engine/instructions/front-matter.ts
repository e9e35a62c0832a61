/** A file's front matter: its keys (a value or a list of values) and the text after it. */
export type FrontMatter = { data: ReadonlyMap<string, string | string[]>; body: string };

/** Front matter longer than this is not front matter (the file is read whole as text). */
const MAX_LINES = 64;

/**
 * Reads the `---` block that opens Cursor rules (`.mdc`) and Copilot instruction files. Not YAML:
 * Cursor writes `globs: *.ts, src/**` unquoted, which a YAML parser reads as an alias and
 * rejects. Each `key: value` line is a key; a value is a string, a `[a, b]` list, or the `- item`
 * lines after an empty `key:`. Quotes around a value or an item are removed. Keys are read
 * case-sensitively, as both tools write them. A file without a closed block has no front matter.
 */
export function parseFrontMatter(text: string): FrontMatter {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  const none = { data: new Map(), body: text };
  if (lines[0]?.trim() !== "---") return none;
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === "---");
  if (end < 0 || end > MAX_LINES) return none;
  const data = new Map<string, string | string[]>();
  let listKey: string | undefined;
  for (const line of lines.slice(1, end)) {
    const item = /^\s+-\s*(.*)$/.exec(line) ?? /^-\s+(.*)$/.exec(line);
    if (item && listKey !== undefined) {
      const list = data.get(listKey);
      if (Array.isArray(list)) list.push(unquote(item[1] ?? ""));
      continue;
    }
    const pair = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!pair) continue;
    const key = pair[1] ?? "";
    const value = (pair[2] ?? "").trim();
    listKey = undefined;
    if (value === "") {
      data.set(key, []);
      listKey = key;
    } else if (value.startsWith("[") && value.endsWith("]")) {
      data.set(key, splitList(value.slice(1, -1)));
    } else {
      data.set(key, unquote(value));
    }
  }
  return { data, body: lines.slice(end + 1).join("\n") };
}

/**
 * A glob value as both tools write it: one pattern, a comma-separated string of them
 * (`"**\/*.ts,**\/*.tsx"`), or a list. Empty patterns are dropped.
 */
export function globsOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap(splitList).filter((g) => g !== "");
}

/** Splits at commas outside braces and brackets: `**\/*.{ts,tsx}, docs/**` is two globs. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((s) => unquote(s)).filter((s) => s !== "");
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0])
    return t.slice(1, -1).trim();
  return t;
}
