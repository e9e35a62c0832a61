import { parseArgs } from "node:util";
import { readEnv } from "../config/env.js";
import { reviewChanges } from "../engine/review-changes.js";
import { createLogger } from "../logging/create-logger.js";
import { renderComment } from "../render/render-comment.js";
import { renderSummary, summaryOf } from "../render/render-summary.js";
import { createRuntime } from "../runtime.js";
import { createRedactor } from "../security/redactor.js";
import { VERSION } from "../version.js";
import { ASSESS_USAGE, runAssess } from "./assess-command.js";
import { loadLocalSources } from "./local-sources.js";
import { readLocalConfig, readLocalDiff } from "./review-local.js";

const USAGE = `Usage: critic review [--base <ref>] [--diff <file>|-] [--format markdown|json]

Reviews a local diff with the same pipeline as the GitHub App and prints the summary.
  --base <ref>     review \`git diff <ref>...HEAD\` (default: origin/HEAD, main or master)
  --diff <file>    review a unified diff file instead; "-" reads standard input
  --format <fmt>   markdown (default) or json
With no OPENAI_API_KEY set, Critic runs its built-in static checks only and says so.`;

/** `critic review`: exit 0 when the review ran, 2 on bad usage or an unreadable diff. */
export async function main(
  argv: string[],
  io: {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    stdin: NodeJS.ReadableStream;
    cwd: string;
    /** Defaults to the process environment. */
    env?: NodeJS.ProcessEnv | undefined;
  },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (positionals[0] === "assess" && !values.help) return runAssess(positionals[1], values, io);
  if (values.help || positionals[0] !== "review") {
    (values.help ? io.stdout : io.stderr).write(`${USAGE}\n\n${ASSESS_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const format = values.format ?? "markdown";
  if (format !== "markdown" && format !== "json") {
    io.stderr.write(`--format must be markdown or json (got "${format}")\n`);
    return 2;
  }

  try {
    const env = readEnv(io.env);
    const secrets = createRedactor(env.secrets);
    const log = await createLogger(
      { level: "warn", format: "json", destination: io.stderr },
      secrets,
    );
    const { core } = createRuntime(env, "cli", { log, secrets });
    if (!core.model.hasModel)
      io.stderr.write(
        "critic: no AI provider configured (set OPENAI_API_KEY or GEMINI_API_KEY); running static checks only.\n",
      );
    const [files, { config, errors }] = await Promise.all([
      readLocalDiff({ diff: values.diff, base: values.base, cwd: io.cwd, stdin: io.stdin }),
      readLocalConfig(io.cwd),
    ]);
    const result = await reviewChanges(
      { ...core, log },
      {
        pr: { title: "Local changes", body: "" },
        files,
        config,
        limits: core.limits,
        loadSources: (paths) => loadLocalSources(io.cwd, paths),
        signal: new AbortController().signal,
      },
    );
    const notes = [
      ...errors.map((e) => `Invalid configuration, using the defaults: ${e}`),
      ...result.notes,
    ];
    if (format === "json") {
      const { decisions, ...rest } = result;
      const out = {
        ...rest,
        notes,
        files: decisions.map((d) => ({
          path: d.file.path,
          status: d.file.status,
          additions: d.file.additions,
          deletions: d.file.deletions,
          reviewed: d.reviewed,
          reason: d.reason,
        })),
      };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const summary = renderSummary({
      ...summaryOf(result),
      headSha: "local",
      version: VERSION,
      notes,
    });
    const comments = result.inline.map(
      (f) =>
        `#### \`${f.path}:${f.startLine === undefined ? f.line : `${f.startLine}-${f.line}`}\`\n\n${renderComment(f)}`,
    );
    io.stdout.write(
      `${summary.replace(/<!--[^\n]*-->\n?/g, "").trim()}\n${comments.length > 0 ? `\n## Inline comments\n\n${comments.join("\n\n")}\n` : ""}`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`critic: ${(error as Error).message}\n`);
    return 2;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      base: { type: "string" },
      diff: { type: "string" },
      format: { type: "string" },
      assignment: { type: "string" },
      level: { type: "string" },
      ref: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
