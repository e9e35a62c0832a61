import { parseArgs } from "node:util";
import { SEVERITIES, type Severity } from "../model/types.js";

export type OutputFormat = "markdown" | "json";

export type ReviewOptions = {
  /** A diff file, or "-" for standard input; absent: `git diff <base>...HEAD`. */
  diff?: string | undefined;
  base?: string | undefined;
  /** The repository whose HEAD holds the head files, configuration and rules. */
  repo?: string | undefined;
  failOn?: Severity | undefined;
  format: OutputFormat;
  /** A file of variables to read too (`--dotenv`); those already set win. */
  dotenv?: string | undefined;
};

export type AssessOptions = {
  target: string;
  assignment?: string | undefined;
  level?: string | undefined;
  ref?: string | undefined;
  format: OutputFormat;
  /** A file of variables to read too (`--dotenv`); those already set win. */
  dotenv?: string | undefined;
};

export type CliCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "review"; options: ReviewOptions }
  | { kind: "assess"; options: AssessOptions }
  | { kind: "usage-error"; message: string };

const OPTIONS = {
  base: { type: "string" },
  diff: { type: "string" },
  repo: { type: "string" },
  "fail-on": { type: "string" },
  format: { type: "string" },
  // Not `--env-file`: Node.js takes that one for itself, wherever it stands (nodejs/node#54232).
  dotenv: { type: "string" },
  assignment: { type: "string" },
  level: { type: "string" },
  ref: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** Options that belong to one command: given to the other, they are refused, not ignored. */
const ONLY_FOR: Record<string, "review" | "assess"> = {
  base: "review",
  diff: "review",
  repo: "review",
  "fail-on": "review",
  assignment: "assess",
  level: "assess",
  ref: "assess",
};

const readArgs = (args: readonly string[]) =>
  parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });

const isUrl = (target: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(target);

/**
 * Reads the command line into one command, or the reason it is wrong. Pure: nothing is read
 * from disk, so `--help` and `--version` answer before any review module loads.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (error) {
    const message = (error as Error).message;
    return {
      kind: "usage-error",
      message: /'--env-file'/.test(message)
        ? "use --dotenv <file> to read variables from a file (Node.js reads --env-file itself)"
        : message,
    };
  }
  const { values, positionals } = parsed;
  if (values.version) return { kind: "version" };
  if (values.help || positionals[0] === "help") return { kind: "help" };
  const [command, ...rest] = positionals;
  if (command !== "review" && command !== "assess")
    return {
      kind: "usage-error",
      message:
        command === undefined
          ? "name a command: review or assess"
          : `unknown command "${command}": use review or assess`,
    };
  const misplaced = Object.keys(values).find(
    (name) => ONLY_FOR[name] !== undefined && ONLY_FOR[name] !== command,
  );
  if (misplaced !== undefined)
    return {
      kind: "usage-error",
      message: `--${misplaced} applies to \`critic ${ONLY_FOR[misplaced]}\` only, not to \`critic ${command}\``,
    };
  const format = values.format ?? "markdown";
  if (format !== "markdown" && format !== "json")
    return { kind: "usage-error", message: `--format must be markdown or json (got "${format}")` };
  const { dotenv } = values;

  if (command === "assess") {
    const [target, ...extra] = rest;
    if (target === undefined)
      return { kind: "usage-error", message: "name a repository URL or a folder to assess" };
    if (extra.length > 0)
      return {
        kind: "usage-error",
        message: `assess takes one repository (got "${extra[0]}" too)`,
      };
    if (values.ref !== undefined && !isUrl(target))
      return {
        kind: "usage-error",
        message: `--ref applies to a repository URL; the folder ${target} is assessed as it is on disk`,
      };
    const { assignment, level, ref } = values;
    return { kind: "assess", options: { target, assignment, level, ref, format, dotenv } };
  }

  if (rest.length > 0)
    return {
      kind: "usage-error",
      message: `review takes no arguments (got "${rest[0]}"): name a diff file with --diff <file>`,
    };
  if (values.base !== undefined && values.diff !== undefined)
    return {
      kind: "usage-error",
      message:
        "--base and --diff cannot be combined: --base reviews `git diff <base>...HEAD`, --diff reviews the diff you give",
    };
  const failOn = values["fail-on"];
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn))
    return {
      kind: "usage-error",
      message: `--fail-on must be ${SEVERITIES.join(", ")} (got "${failOn}")`,
    };
  return {
    kind: "review",
    options: {
      diff: values.diff,
      base: values.base,
      repo: values.repo,
      failOn: failOn as Severity | undefined,
      format,
      dotenv,
    },
  };
}
