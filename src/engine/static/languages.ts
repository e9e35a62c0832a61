// biome-ignore lint/style/noRestrictedImports: registering the grammars checks, once per process, that each native library shipped with its npm package is on disk; no input reaches it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { registerDynamicLanguage } from "@ast-grep/napi";

/** Languages Critic parses, by our lower-case id, with the name ast-grep knows them by. */
const BUILT_IN: Record<string, string> = {
  javascript: "JavaScript",
  typescript: "TypeScript",
  tsx: "Tsx",
};
const DYNAMIC = ["python", "go", "java", "ruby", "php", "rust", "bash", "c", "cpp"] as const;

const BY_EXTENSION: Record<string, string> = {
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "tsx",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  py: "python",
  pyw: "python",
  go: "go",
  java: "java",
  rb: "ruby",
  rake: "ruby",
  php: "php",
  rs: "rust",
  sh: "bash",
  bash: "bash",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
};
const BY_SHEBANG: Array<[RegExp, string]> = [
  [/\bpython[0-9.]*\b/, "python"],
  [/\b(?:node|deno|bun)\b/, "javascript"],
  [/\b(?:ba|z)?sh\b/, "bash"],
  [/\bruby\b/, "ruby"],
  [/\bphp\b/, "php"],
];

let registered: Set<string> | undefined;

/**
 * Registers the tree-sitter grammars shipped as npm packages, once (ast-grep keeps only the first
 * registration). A grammar without a prebuilt library for this platform is left out rather than
 * stopping Critic; its files get only the language-neutral checks.
 */
export function ensureLanguages(): ReadonlySet<string> {
  if (registered) return registered;
  const require = createRequire(import.meta.url);
  const available: Record<string, { libraryPath: string; extensions: string[] }> = {};
  for (const id of DYNAMIC) {
    try {
      const registration = require(`@ast-grep/lang-${id}`) as {
        libraryPath: string;
        extensions: string[];
      };
      if (existsSync(registration.libraryPath)) available[id] = registration;
    } catch {
      // not installed or no build for this platform
    }
  }
  registerDynamicLanguage(available);
  registered = new Set([...Object.keys(BUILT_IN), ...Object.keys(available)]);
  return registered;
}

/** The language of a file by extension, else by shebang; undefined when Critic cannot parse it. */
export function languageOf(path: string, firstLine = ""): string | undefined {
  const language = languageByName(path, firstLine);
  return language !== undefined && ensureLanguages().has(language) ? language : undefined;
}

/**
 * The language a file's name (or shebang) claims, without loading a grammar: where only the
 * choice of files matters, so the main thread of a server whose threads parse loads none.
 */
export function languageByName(path: string, firstLine = ""): string | undefined {
  const name = path.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  const byExtension = dot > 0 ? BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
  return (
    byExtension ??
    (firstLine.startsWith("#!") ? BY_SHEBANG.find(([re]) => re.test(firstLine))?.[1] : undefined)
  );
}

/** The name ast-grep's `parse` takes for one of our language ids. */
export function astGrepLanguage(language: string): string {
  return BUILT_IN[language] ?? language;
}

/** Every language id a rule may name. */
export const LANGUAGE_IDS: readonly string[] = [...Object.keys(BUILT_IN), ...DYNAMIC];
