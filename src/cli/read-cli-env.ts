import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { environmentWith } from "../config/env.js";

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a folder",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/**
 * The environment a CLI run reads: the caller's (`io.env`, else the process's), plus the
 * `--dotenv` file when given (variables already set win). The file is parsed, never loaded into
 * the process environment, and one that cannot be read is an error that names it. No `.env` is
 * picked up from the current directory: a repository being reviewed must not be able to point
 * the CLI at another model server, nor change its limits.
 */
export async function readCliEnv(
  dotenv: string | undefined,
  io: { cwd: string; env?: NodeJS.ProcessEnv | undefined },
): Promise<NodeJS.ProcessEnv> {
  if (dotenv === undefined) return environmentWith(undefined, io.env);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, dotenv), "utf8");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new Error(`cannot read --dotenv ${dotenv}: ${READ_ERRORS[code ?? ""] ?? message}`);
  }
  return environmentWith(text, io.env);
}
