import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_PATH } from "../config/repo-config.schema.js";
import { type ResolvedRepoConfig, resolveRepoConfig } from "../config/resolve-repo-config.js";
import { parseUnifiedDiff } from "../diff/parse-unified-diff.js";
import type { ChangedFile } from "../model/types.js";
import type { GitHead } from "./local-sources.js";
import { MAX_INPUT_BYTES, MAX_INPUT_WORDS } from "./max-input-bytes.js";
import { gitSucceeds, runGit } from "./run-git.js";
import { unquoteDiffPaths } from "./unquote-diff-paths.js";

/** What the CLI was given to review, and in words for its messages. */
export type LocalDiff =
  | { kind: "empty"; source: string }
  | { kind: "not-a-diff"; source: string; why: string }
  | {
      kind: "diff";
      source: string;
      files: ChangedFile[];
      /** Where head files, configuration and rules come from; undefined: the hunks alone. */
      head: GitHead | undefined;
    };

/**
 * The diff to review: `git diff <base>...HEAD` of a repository, or a diff file (`-`: standard
 * input). Relative paths are taken from `cwd`; nothing else about the current directory counts.
 * Any of them larger than the CLI's input cap (64 MB) is refused.
 */
export async function readLocalDiff(options: {
  diff?: string | undefined;
  base?: string | undefined;
  repo?: string | undefined;
  cwd: string;
  stdin: NodeJS.ReadableStream;
}): Promise<LocalDiff> {
  if (options.diff !== undefined) {
    const source = options.diff === "-" ? "standard input" : options.diff;
    const bytes =
      options.diff === "-"
        ? await readCapped(options.stdin, source)
        : await readDiffFile(resolve(options.cwd, options.diff), options.diff);
    const head =
      options.repo === undefined ? undefined : await openHead(resolve(options.cwd, options.repo));
    return classifyDiff(bytes, source, head);
  }
  const head = await openHead(resolve(options.cwd, options.repo ?? "."));
  const base = options.base ?? (await defaultBase(head.repo));
  if (base.startsWith("-")) throw new Error(`--base must name a revision (got "${base}")`);
  if (!(await gitSucceeds(head.repo, ["rev-parse", "--verify", "--quiet", `${base}^{commit}`])))
    throw new Error(`--base ${base} is not a commit of the repository ${head.repo}`);
  const bytes = await runGit(head.repo, [
    "diff",
    // Explicit prefixes and no colour, external diff or text conversion: a user's settings must
    // not change the format, nor what the diff says is in a file.
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    `${base}...${head.sha}`,
  ]);
  return classifyDiff(bytes, `git diff ${base}...HEAD`, head);
}

/**
 * Empty input is an empty diff; input holding NUL bytes, or from which no file with a hunk or a
 * `diff --git` header can be read (plain text, a log), is not a diff at all.
 */
export function classifyDiff(bytes: Buffer, source: string, head?: GitHead): LocalDiff {
  if (bytes.includes(0)) return { kind: "not-a-diff", source, why: "it holds binary data" };
  const text = bytes.toString("utf8");
  if (text.trim() === "") return { kind: "empty", source };
  const files = unquoteDiffPaths(parseUnifiedDiff(text), text);
  const diffLike =
    files.some((f) => f.patch !== undefined) || (files.length > 0 && /^diff --git /m.test(text));
  if (!diffLike)
    return { kind: "not-a-diff", source, why: "no file header or hunk (`@@ … @@`) was found" };
  return { kind: "diff", source, files, head };
}

/** The repository holding `dir` and its HEAD commit, or an error saying what to do instead. */
async function openHead(dir: string): Promise<GitHead> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory())
    throw new Error(`${dir} is not a folder`);
  let repo: string;
  try {
    repo = (await runGit(dir, ["rev-parse", "--show-toplevel"])).toString("utf8").trim();
  } catch (error) {
    const why = (error as Error).message;
    throw new Error(
      `${dir} is not in a git repository${/not a git repository/.test(why) ? "" : ` (${why})`}: review a diff file with --diff <file>, or name a repository with --repo <dir>`,
    );
  }
  try {
    const sha = (await runGit(repo, ["rev-parse", "--verify", "HEAD^{commit}"]))
      .toString("utf8")
      .trim();
    return { repo, sha };
  } catch {
    throw new Error(`the repository ${repo} has no commits yet`);
  }
}

/** `.github/critic.yml` (its text, or undefined when absent), validated like the App validates it. */
export function resolveLocalConfig(text: string | undefined): ResolvedRepoConfig {
  if (text === undefined) return resolveRepoConfig([]);
  try {
    const config = parseYaml(text) as unknown;
    const object =
      typeof config === "object" && config !== null && !Array.isArray(config)
        ? (config as Record<string, unknown>)
        : null;
    if (object === null && config !== null)
      return {
        ...resolveRepoConfig([]),
        errors: [`${CONFIG_PATH}: is not a YAML mapping; using the defaults.`],
      };
    return resolveRepoConfig([{ label: CONFIG_PATH, config: object }]);
  } catch (error) {
    return {
      ...resolveRepoConfig([]),
      errors: [
        `${CONFIG_PATH}: invalid YAML (${(error as Error).message.split("\n")[0]}); using the defaults.`,
      ],
    };
  }
}

async function defaultBase(repo: string): Promise<string> {
  for (const candidate of ["origin/HEAD", "main", "master"]) {
    if (await gitSucceeds(repo, ["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]))
      return candidate;
  }
  throw new Error("no base branch found (origin/HEAD, main or master): pass --base <ref>");
}

const READ_ERRORS: Record<string, string> = { ENOENT: "no such file", EISDIR: "it is a folder" };

async function readDiffFile(path: string, named: string): Promise<Buffer> {
  try {
    return await readCapped(createReadStream(path), `the diff ${named}`);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === undefined) throw error;
    throw new Error(`cannot read the diff ${named}: ${READ_ERRORS[code] ?? message}`);
  }
}

/** All of a stream, or an error naming the cap once it passes it (the rest is not read). */
async function readCapped(stream: NodeJS.ReadableStream, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_INPUT_BYTES)
      throw new Error(
        `${what} is larger than ${MAX_INPUT_WORDS}, the most the CLI reads: review a smaller change`,
      );
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
