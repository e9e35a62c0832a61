import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { assessmentLimits, assessRepository, type Progress } from "../assess/assess-repository.js";
import { createRepositoryClients } from "../assess/open-repository.js";
import { renderAssessment } from "../assess/render-assessment.js";
import { openGitHubRepository, openLocalFolder, type RepoSource } from "../assess/repo-source.js";
import { parseRepoUrl, webHostOf } from "../assess/repo-url.js";
import { parseLevel } from "../assess/synthesis.js";
import { readEnv } from "../config/env.js";
import { createLogger } from "../logging/create-logger.js";
import { createRuntime } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";
import type { AssessOptions } from "./parse-cli-args.js";
import { readCliEnv } from "./read-cli-env.js";
import { ASSESS_USAGE } from "./usage.js";

type Io = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env?: NodeJS.ProcessEnv | undefined;
};

/** `critic assess`: 0 when the report was printed, 2 on bad usage or an unreadable source. */
export async function runAssess(options: AssessOptions, io: Io): Promise<number> {
  const { target, format } = options;
  const level = parseLevel(options.level);
  const problem = !options.assignment
    ? "--assignment <file> is required"
    : !level
      ? "--level must be junior, middle or senior"
      : undefined;
  if (problem || !level || !options.assignment) {
    io.stderr.write(`critic: ${problem}\n\n${ASSESS_USAGE}\n`);
    return 2;
  }
  try {
    const env = readEnv(await readCliEnv(options.dotenv, io));
    const secrets = createRedactor(env.secrets);
    const log = await createLogger(
      { level: "warn", format: "json", destination: io.stderr },
      secrets,
    );
    const { core } = createRuntime(env, "cli", { log, secrets });
    const assignment = await readFile(resolve(io.cwd, options.assignment), "utf8");
    const source = await openSource(target, options.ref, env, log, io.cwd);
    if (!core.model.hasModel)
      io.stderr.write(
        "critic: no AI provider configured (set OPENAI_API_KEY or GEMINI_API_KEY); static checks only, rated by rubric.\n",
      );
    const result = await assessRepository(
      { ...core, log },
      {
        source,
        assignment,
        level,
        limits: assessmentLimits(env),
        signal: new AbortController().signal,
        onProgress: (p) => showProgress(io.stderr, p),
      },
    );
    if (io.stderr.isTTY) io.stderr.write("\n");
    io.stdout.write(
      format === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderAssessment(result),
    );
    return 0;
  } catch (error) {
    io.stderr.write(`critic: ${(error as Error).message}\n`);
    return 2;
  }
}

async function openSource(
  target: string,
  ref: string | undefined,
  env: ReturnType<typeof readEnv>,
  log: Logger,
  cwd: string,
): Promise<RepoSource> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const url = parseRepoUrl(target, webHostOf(env.github.apiBaseUrl));
    if (!url.ok) throw new Error(`the repository URL ${url.reason}`);
    // The CLI's user reads with their own tokens: their private repositories are theirs to assess.
    const { gh } = await createRepositoryClients(env, log)(url.repo);
    return openGitHubRepository(gh, url.repo, ref ?? url.ref);
  }
  const folder = resolve(cwd, target);
  if (!(await stat(folder).catch(() => undefined))?.isDirectory())
    throw new Error(`${target} is neither a repository URL nor a folder`);
  return openLocalFolder(folder);
}

/** A one-line bar on a terminal; nothing when the output is a file or a pipe. */
function showProgress(stream: Io["stderr"], p: Progress): void {
  if (!stream.isTTY || p.files_total === 0) return;
  const width = 30;
  const filled = Math.round((p.files_done / p.files_total) * width);
  stream.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.files_done}/${p.files_total} files`,
  );
}
