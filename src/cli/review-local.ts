import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { CONFIG_PATH } from "../config/repo-config.schema.js";
import { type ResolvedRepoConfig, resolveRepoConfig } from "../config/resolve-repo-config.js";
import { parseUnifiedDiff } from "../diff/parse-unified-diff.js";
import type { ChangedFile } from "../model/types.js";

const run = promisify(execFile);

/** The diff to review: a file, standard input (`-`), or `git diff <base>...HEAD`. */
export async function readLocalDiff(options: {
  diff?: string | undefined;
  base?: string | undefined;
  cwd: string;
  stdin: NodeJS.ReadableStream;
}): Promise<ChangedFile[]> {
  let text: string;
  if (options.diff === "-") text = await readAll(options.stdin);
  else if (options.diff !== undefined) text = await readFile(options.diff, "utf8");
  else {
    const base = options.base ?? (await defaultBase(options.cwd));
    const { stdout } = await run(
      "git", // Explicit prefixes: a user's diff.noprefix or diff.mnemonicPrefix must not change the format.
      [
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        `${base}...HEAD`,
      ],
      {
        cwd: options.cwd,
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    text = stdout;
  }
  return parseUnifiedDiff(text);
}

/** `.github/critic.yml` from the working tree, validated like the App validates it. */
export async function readLocalConfig(cwd: string): Promise<ResolvedRepoConfig> {
  let text: string;
  try {
    text = await readFile(`${cwd}/${CONFIG_PATH}`, "utf8");
  } catch {
    return resolveRepoConfig([]);
  }
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

async function defaultBase(cwd: string): Promise<string> {
  for (const candidate of ["origin/HEAD", "main", "master"]) {
    try {
      await run("git", ["rev-parse", "--verify", "--quiet", candidate], { cwd });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error("[critic] no base branch found: pass --base <ref> or --diff <file>");
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
