import type { Command } from "./parse-command.js";

/** A slash-command to run in the queue: ids and the command, no clients. */
export type CommandJob = {
  deliveryId: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  command: Command;
  /** Who asked (their login): learnings record it, and organisation ones check it is an owner. */
  sender?: string | undefined;
  /** The comment that asked, to react and reply to. */
  comment: {
    id: number;
    kind: "issue" | "review";
    /** For a reply in a review thread: the Critic comment it answers, with its code context. */
    thread?:
      | { rootId: number; path: string; line: number | undefined; diffHunk: string }
      | undefined;
  };
};
