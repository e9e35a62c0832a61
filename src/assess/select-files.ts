import picomatch from "picomatch";
import { DEFAULT_EXCLUDES } from "../engine/select/filter-files.js";
import { languageOf } from "../engine/static/languages.js";

export type TreeEntry = { path: string; size: number };

export type Selection = {
  /** In review order: the assignment's language first, then shallower paths. */
  selected: Array<TreeEntry & { language: string }>;
  skipped: Array<TreeEntry & { language: string; reason: string }>;
};

// Source a model reads well even where Critic has no parser for it.
const OTHER_SOURCE: Record<string, string> = {
  kt: "kotlin",
  kts: "kotlin",
  swift: "swift",
  cs: "csharp",
  scala: "scala",
  lua: "lua",
  dart: "dart",
  ex: "elixir",
  exs: "elixir",
  erl: "erlang",
  hs: "haskell",
  ml: "ocaml",
  clj: "clojure",
  vue: "vue",
  svelte: "svelte",
  sql: "sql",
  html: "html",
  css: "css",
  scss: "scss",
  r: "r",
  pl: "perl",
};

const LANGUAGE_NAMES: Array<[RegExp, string[]]> = [
  [/\bpython\b|\bdjango\b|\bflask\b|\bfastapi\b/i, ["python"]],
  [/\btypescript\b|\bnest\.?js\b|\bangular\b/i, ["typescript", "tsx"]],
  [/\bjavascript\b|\bnode(\.js)?\b|\breact\b|\bexpress\b/i, ["javascript", "tsx", "typescript"]],
  [/\bgolang\b|\bgo\b(?= (?:service|language|program|module|code))/i, ["go"]],
  [/\bjava\b|\bspring\b/i, ["java"]],
  [/\bruby\b|\brails\b/i, ["ruby"]],
  [/\bphp\b|\blaravel\b/i, ["php"]],
  [/\brust\b/i, ["rust"]],
  [/\bc\+\+|\bcpp\b/i, ["cpp"]],
  [/\bkotlin\b/i, ["kotlin"]],
  [/\bc#|\.net\b/i, ["csharp"]],
];

/** The language of a path as the assessment lists it; "text" when it is not source code. */
export function languageOfPath(path: string): string {
  const known = languageOf(path);
  if (known) return known;
  const name = path.split("/").pop() ?? "";
  if (name === "Dockerfile") return "dockerfile";
  const ext = name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "";
  if (ext === "md" || ext === "markdown") return "markdown";
  return OTHER_SOURCE[ext] ?? "text";
}

/**
 * Chooses what a repository review reads, before any file is fetched: source files, the
 * top-level README (the candidate's own account of the work), and nothing vendored, generated,
 * binary, a lockfile or larger than `maxFileBytes`. The assignment's language (named in its
 * text, else the repository's most common) comes first; past `maxFiles` the rest are listed as
 * skipped. Pure.
 */
export function selectFiles(
  entries: readonly TreeEntry[],
  options: { maxFiles: number; maxFileBytes: number; assignment: string },
): Selection {
  const defaults = DEFAULT_EXCLUDES.map(({ reason, globs }) => ({
    reason,
    match: picomatch(globs, { dot: true, nocase: true }),
  }));
  const candidates: Selection["selected"] = [];
  const skipped: Selection["skipped"] = [];
  for (const entry of entries) {
    const language = languageOfPath(entry.path);
    const excluded = defaults.find((d) => d.match(entry.path));
    const skip = (reason: string) => skipped.push({ ...entry, language, reason });
    if (excluded) skip(excluded.reason);
    else if (entry.path.split("/").some((part) => part.startsWith(".") && part !== ".github"))
      skip("hidden or tool folder");
    else if (entry.size > options.maxFileBytes)
      skip(`too large (${Math.round(entry.size / 1024)} KB)`);
    else if (entry.size === 0) skip("empty");
    else if (language === "text" || (language === "markdown" && !/^readme\.md$/i.test(entry.path)))
      skip("not source code");
    else candidates.push({ ...entry, language });
  }
  const preferred = preferredLanguages(options.assignment, candidates);
  const rank = (e: { language: string }) => {
    const i = preferred.indexOf(e.language);
    return i === -1 ? preferred.length : i;
  };
  candidates.sort(
    (a, b) =>
      Number(b.language === "markdown") - Number(a.language === "markdown") ||
      rank(a) - rank(b) ||
      a.path.split("/").length - b.path.split("/").length ||
      a.path.localeCompare(b.path),
  );
  const selected = candidates.slice(0, options.maxFiles);
  for (const entry of candidates.slice(options.maxFiles))
    skipped.push({ ...entry, reason: `file cap (${options.maxFiles} files reviewed at most)` });
  return { selected, skipped };
}

function preferredLanguages(assignment: string, files: ReadonlyArray<{ language: string }>) {
  const named = LANGUAGE_NAMES.filter(([re]) => re.test(assignment)).flatMap(([, ids]) => ids);
  if (named.length > 0) return [...new Set(named)];
  const counts = new Map<string, number>();
  for (const f of files)
    if (f.language !== "markdown") counts.set(f.language, (counts.get(f.language) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([language]) => language);
}
