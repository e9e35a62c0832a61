/** A slash-command from a pull request comment. */
export type Command =
  | { name: "review"; full: boolean }
  | { name: "ask"; question: string }
  | { name: "pause" }
  | { name: "resume" }
  | { name: "config" }
  | { name: "help" }
  | { name: "unknown"; given: string };

// `/word` followed by a space or the end: `/usr/bin/env` in a comment is a path, not a command.
const COMMAND = /^\/(?<name>[a-z][a-z-]*)(?=\s|$)(?<rest>[\s\S]*)$/i;

/**
 * Reads the command on a comment's first line, or undefined when the comment is not a command.
 * Arguments only ever choose what to do, never how Critic is configured: there is no argument for
 * providers, keys, URLs or approval.
 */
export function parseCommand(body: string): Command | undefined {
  const [first = "", ...more] = body.trimStart().split("\n");
  const match = COMMAND.exec(first.trim());
  if (!match?.groups) return undefined;
  const name = match.groups.name?.toLowerCase() ?? "";
  // Only the first line holds the command; a question may go on over the following lines.
  const rest = (match.groups.rest ?? "").trim();
  if (name === "ask") {
    const question = [rest, ...more].join("\n").trim();
    return question === ""
      ? { name: "unknown", given: "/ask (without a question)" }
      : { name: "ask", question };
  }
  switch (name) {
    case "review":
      if (rest === "") return { name: "review", full: false };
      if (rest.toLowerCase() === "full") return { name: "review", full: true };
      return { name: "unknown", given: `/review ${rest.split(/\s/)[0]}` };
    case "pause":
    case "resume":
    case "config":
    case "help":
      return { name };
    default:
      return { name: "unknown", given: `/${name}` };
  }
}

/** The commands, one line each; also the answer to an unknown command. */
export const HELP_TEXT = [
  "**Critic commands** (people with write access to this repository):",
  "- `/review` — review what changed since the last review (the whole pull request if none)",
  "- `/review full` — review the whole pull request again from scratch",
  "- `/ask <question>` — ask about this pull request; reply `/ask …` to one of Critic's inline comments to ask about that code",
  "- `/pause` — stop automatic reviews on this pull request",
  "- `/resume` — start automatic reviews again",
  "- `/config` — show the configuration in effect and where each value comes from",
  "- `/help` — this list",
].join("\n");
