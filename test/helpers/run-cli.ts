import { execFile, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { main } from "../../src/cli/main.js";

const run = promisify(execFile);

/**
 * Runs `critic <args>` through `main()` with captured streams and an empty environment (no
 * provider keys, whatever the machine running the tests has), from `cwd`.
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; stdin?: string | Buffer; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? "");
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const code = await main(args, {
    stdout,
    stderr,
    stdin,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
  });
  return { code, out, err };
}

/**
 * Runs the command's entry point (src/bin/critic.ts) as its own Node.js process, as the installed
 * `critic` runs, with only PATH in its environment: what Node.js itself does with the arguments
 * and the exit code shows here, not through `main()`.
 */
export function spawnCli(args: string[], input = "") {
  return spawnSync(process.execPath, ["--import", "tsx", "src/bin/critic.ts", ...args], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
}

/** A fresh folder under the system's temporary directory. */
export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix));

/** A git repository in a fresh temporary folder, with a helper to write files and commit. */
export async function createRepo() {
  const dir = await tempDir("critic-cli-repo-");
  const git = async (...args: string[]) =>
    (
      await run(
        "git",
        [
          "-c",
          "user.email=t@example.com",
          "-c",
          "user.name=t",
          "-c",
          "commit.gpgsign=false",
          ...args,
        ],
        { cwd: dir },
      )
    ).stdout;
  await git("init", "-q", "-b", "main");
  const write = async (files: Record<string, string | Buffer>) => {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
  };
  const commit = async (message: string, files: Record<string, string | Buffer>) => {
    await write(files);
    await git("add", "-A");
    await git("commit", "-qm", message);
  };
  return { dir, git, write, commit };
}
