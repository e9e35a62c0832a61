import type { Logger } from "pino";
import type { CommandJob } from "../commands/command-job.js";
import type { Command } from "../commands/parse-command.js";
import type { CommandHistory, CommandRecord, CommandResult } from "./command-history.js";

/** How a command ended, as runCommand saw it. */
export type CommandEnd = { result: CommandResult; reason?: string | undefined };

/**
 * Records how a command ended. Never throws: a database that is down costs the history line
 * (and a warning), never the command or its answer.
 */
export async function recordCommand(
  history: CommandHistory | undefined,
  log: Pick<Logger, "warn">,
  job: CommandJob,
  end: CommandEnd,
): Promise<void> {
  if (!history) return;
  try {
    await history.record(commandRecordOf(job, end));
  } catch (error) {
    log.warn({ err: error }, "could not record the command in the history");
  }
}

/** The history's record of a command's end: pure. */
export function commandRecordOf(job: CommandJob, end: CommandEnd): CommandRecord {
  return {
    deliveryId: job.deliveryId,
    installationId: job.installationId,
    owner: job.owner,
    repo: job.repo,
    pullNumber: job.pullNumber,
    sender: job.sender,
    command: job.command.name,
    text: commandText(job.command),
    result: end.result,
    reason: end.reason,
  };
}

/** The command as a person would have typed it (a reply "don't flag this" reads as `/learn`). */
export function commandText(command: Command): string {
  switch (command.name) {
    case "review":
      return command.full ? "/review full" : "/review";
    case "ask":
      return `/ask ${command.question}`;
    case "learn": {
      const scope = [command.org ? "org:" : "", command.path ? `path:${command.path}` : ""];
      return ["/learn", ...scope.filter(Boolean), command.text].join(" ");
    }
    case "forget":
      return `/forget ${command.id}`;
    case "unknown":
      return command.given;
    default:
      return `/${command.name}`;
  }
}
