import { VERSION } from "../version.js";
import { parseCliArgs } from "./parse-cli-args.js";
import type { CliIo } from "./review-command.js";
import { USAGE } from "./usage.js";

export type { CliIo };

/**
 * The `critic` command: `review`, `assess`, `--help` and `--version`. Exit codes: 0 when the
 * command ran, 1 when a review finding met `--fail-on`, 2 on bad usage, input that is not a diff,
 * or a failure. The review and assessment modules load only when asked for, so `--help` and
 * `--version` answer at once.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const command = parseCliArgs(argv);
  switch (command.kind) {
    case "version":
      io.stdout.write(`${VERSION}\n`);
      return 0;
    case "help":
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case "usage-error":
      io.stderr.write(`critic: ${command.message}\nRun \`critic --help\` for the options.\n`);
      return 2;
    case "review": {
      const { runReview } = await import("./review-command.js");
      return runReview(command.options, io);
    }
    case "assess": {
      const { runAssess } = await import("./assess-command.js");
      return runAssess(command.options, io);
    }
  }
}
