import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../resilience/clock.js";
import type { Redactor } from "../security/redactor.js";
import { bound } from "./fingerprint.js";
import type { CommandsTable, Database } from "./schema.js";

/** How a command ended: answered (done), refused (Critic said no, and why), failed (an error). */
export type CommandResult = "answered" | "refused" | "failed";

/** One slash-command as it ran. */
export type CommandRecord = {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** Who asked (a login), when known. */
  sender?: string | undefined;
  /** The command's name. */
  command: string;
  /** The command as given, arguments included. */
  text: string;
  result: CommandResult;
  /** Why it was refused or failed. */
  reason?: string | undefined;
};

export type StoredCommand = CommandRecord & { id: number; createdAt: number };

export type CommandFilter = {
  owner?: string | undefined;
  repo?: string | undefined;
  pullNumber?: number | undefined;
  /** Epoch ms: commands at or after. */
  since?: number | undefined;
  limit?: number | undefined;
};

/** Every command Critic ran; kept, like the review history, for its retention. */
export type CommandHistory = {
  /** Stores a command (text redacted and bounded); returns its id. */
  record(command: CommandRecord): Promise<number>;
  /** The newest first (at most `limit`, 50 by default). */
  recent(filter?: CommandFilter): Promise<StoredCommand[]>;
  /** Deletes commands recorded before `cutoff` (epoch ms); returns how many. */
  prune(cutoff: number): Promise<number>;
};

/** Bounds on one command's row: a question or a learning is a few sentences. */
export const COMMAND_LIMITS = { text: 500, reason: 300, short: 200, recent: 500 } as const;

export function createCommandHistory(
  db: Kysely<Database>,
  options: { redactor: Redactor; clock: Pick<Clock, "now"> },
): CommandHistory {
  const clean = (text: string, max: number) => bound(options.redactor.redact(text), max);
  return {
    async record(command) {
      const { id } = await db
        .insertInto("commands")
        .values({
          created_at: options.clock.now(),
          delivery_id: clean(command.deliveryId, COMMAND_LIMITS.short),
          installation_id: command.installationId,
          repository: clean(`${command.owner}/${command.repo}`, COMMAND_LIMITS.short),
          pull_number: command.pullNumber,
          sender: command.sender === undefined ? null : clean(command.sender, COMMAND_LIMITS.short),
          command: clean(command.command, COMMAND_LIMITS.short),
          text: clean(command.text, COMMAND_LIMITS.text),
          result: command.result,
          reason:
            command.reason === undefined ? null : clean(command.reason, COMMAND_LIMITS.reason),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return id;
    },

    async recent(filter = {}) {
      let query = db.selectFrom("commands").selectAll();
      if (filter.owner !== undefined && filter.repo !== undefined)
        query = query.where("repository", "=", `${filter.owner}/${filter.repo}`);
      if (filter.pullNumber !== undefined)
        query = query.where("pull_number", "=", filter.pullNumber);
      if (filter.since !== undefined) query = query.where("created_at", ">=", filter.since);
      const rows = await query
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(Math.min(filter.limit ?? 50, COMMAND_LIMITS.recent))
        .execute();
      return rows.map(toStored);
    },

    async prune(cutoff) {
      const result = await db
        .deleteFrom("commands")
        .where("created_at", "<", cutoff)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toStored(row: Selectable<CommandsTable>): StoredCommand {
  const slash = row.repository.indexOf("/");
  return {
    id: row.id,
    createdAt: row.created_at,
    deliveryId: row.delivery_id,
    installationId: row.installation_id,
    owner: row.repository.slice(0, slash),
    repo: row.repository.slice(slash + 1),
    pullNumber: row.pull_number,
    sender: row.sender ?? undefined,
    command: row.command,
    text: row.text,
    result: toResult(row.result),
    reason: row.reason ?? undefined,
  };
}

function toResult(value: string): CommandResult {
  return value === "refused" || value === "failed" ? value : "answered";
}
