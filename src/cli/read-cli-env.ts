import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/**
 * The environment a CLI run reads: the caller's, plus `--env-file` when given (variables already
 * set win). No `.env` is picked up from the current directory: a repository being reviewed must
 * not be able to point the CLI at another model server, nor change its limits.
 */
export async function readCliEnv(
  envFile: string | undefined,
  io: { cwd: string; env?: NodeJS.ProcessEnv | undefined },
): Promise<NodeJS.ProcessEnv | undefined> {
  if (envFile === undefined) return io.env;
  const path = resolve(io.cwd, envFile);
  if (io.env === undefined) {
    // The process environment itself, as Probot's and the server's `.env` loading does.
    process.loadEnvFile(path);
    return undefined;
  }
  return { ...parseEnv(await readFile(path, "utf8")), ...io.env };
}
