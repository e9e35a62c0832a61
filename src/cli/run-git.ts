import { spawn } from "node:child_process";
import { MAX_INPUT_BYTES, MAX_INPUT_WORDS } from "./max-input-bytes.js";

/**
 * Runs git in `repo` with an argument array (no shell), feeds it `input`, and resolves with what
 * it printed. Rejects on a non-zero exit, naming git's first line of complaint, and stops git
 * once it prints more than `maxBytes` (at most, and by default, the CLI's input cap). Non-ASCII
 * paths come out as they are, not octal-quoted; names with a tab, a newline, `"` or `\` are
 * still C-quoted in a patch's headers (see unquote-diff-paths.ts).
 */
export function runGit(
  repo: string,
  args: readonly string[],
  options: { input?: string | undefined; maxBytes?: number | undefined } = {},
): Promise<Buffer> {
  const maxBytes = Math.min(options.maxBytes ?? MAX_INPUT_BYTES, MAX_INPUT_BYTES);
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-c", "core.quotePath=false", ...args], {
      cwd: repo,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let complaint = "";
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        child.kill();
        reject(
          new Error(
            maxBytes === MAX_INPUT_BYTES
              ? `git ${args[0]} printed more than ${MAX_INPUT_WORDS}, the most the CLI reads: review a smaller change`
              : `git ${args[0]} printed more than the ${maxBytes} bytes expected`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (complaint.length < 4096) complaint += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new Error(`git could not be started in ${repo} (is git installed and on the PATH?)`)
          : error,
      ),
    );
    child.on("close", (code) => {
      if (code === 0) {
        resolve(Buffer.concat(chunks));
        return;
      }
      const why = complaint.trim().split("\n")[0] ?? "";
      reject(new Error(`git ${args[0]} failed${why ? `: ${why}` : ""}`));
    });
    // git may exit before reading all of its input (a bad revision): that is its answer, not ours.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/** True when git answers 0; for `rev-parse --verify --quiet` and the like. */
export async function gitSucceeds(repo: string, args: readonly string[]): Promise<boolean> {
  return runGit(repo, args, { maxBytes: 64 * 1024 }).then(
    () => true,
    () => false,
  );
}
