/** A slash-command from a pull request comment. */
export type Command =
  | { name: "review"; full: boolean }
  | { name: "ask"; question: string }
  | { name: "pause" }
  | { name: "resume" }
  | { name: "config" }
  | { name: "help" }
  | {
      name: "learn";
      /** The guidance, or the reason a finding is not one. */
      text: string;
      /** A glob the learning is limited to. */
      path?: string | undefined;
      /** For every repository of the organisation (its owners only). */
      org: boolean;
      /** A reply to one of Critic's comments: about that comment's finding. */
      reply?: boolean | undefined;
    }
  | { name: "learnings" }
  | { name: "forget"; id: number }
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
  if (name === "learn") return parseLearn([rest, ...more].join("\n").trim());
  switch (name) {
    case "learnings":
      return { name };
    case "forget": {
      const id = /^#?(\d{1,9})$/.exec(rest)?.[1];
      return id === undefined
        ? { name: "unknown", given: "/forget (without a learning id)" }
        : { name: "forget", id: Number(id) };
    }
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
  "- `/learn <text>` — teach Critic something about this repository (`/learn path:<glob> <text>` for some files, `/learn org: <text>` for the organisation, by its owners); reply `@critic don't flag this: <reason>` to one of Critic's comments to stop that finding",
  "- `/learnings` — list what Critic was taught here, with ids",
  "- `/forget <id>` — remove a learning",
  "- `/help` — this list",
].join("\n");

/** `org:` and `path:<glob>` first, in any order, then the text. */
function parseLearn(args: string): Command {
  let rest = args;
  let org = false;
  let path: string | undefined;
  for (let i = 0; i < 2; i++) {
    const scope = /^org:\s*/i.exec(rest);
    if (scope && !org) {
      org = true;
      rest = rest.slice(scope[0].length);
      continue;
    }
    const glob = /^path:(\S{1,200})(?:\s+|$)/i.exec(rest);
    if (glob && path === undefined) {
      path = glob[1];
      rest = rest.slice(glob[0].length);
    }
  }
  const text = rest.trim();
  if (text === "") return { name: "unknown", given: "/learn (without a text)" };
  return { name: "learn", text, org, ...(path === undefined ? {} : { path }) };
}

// "don't flag this", "do not flag this", "never flag this", "stop flagging this", "ignore this",
// at the start of the reply (after the mention), optionally followed by "again", "here", …
const DONT_FLAG =
  /^(?:please[\s,]+)?(?:(?:don['’]?t|do\s+not|never)\s+flag|stop\s+flagging|ignore)\s+(?:this|that|it)(?:\s+(?:again|here|anymore|any\s+more))?(?![\w'’])/i;

/**
 * A reply to one of Critic's comments, the App's mention removed, that tells Critic not to flag
 * that finding: `don't flag this: <reason>` and its forms (see DONT_FLAG). A question ("don't
 * flag this?", "should I ignore this?") is not one: undefined, and the reply is asked instead.
 */
export function parseLearningReply(text: string): Command | undefined {
  const body = text.trim();
  const match = DONT_FLAG.exec(body);
  if (!match || body.endsWith("?")) return undefined;
  let reason = body
    .slice(match[0].length)
    .replace(/^\s*(?:[:,.;!]|—|–|-)+\s*/, "")
    .trim();
  const glob = /^path:(\S{1,200})(?:\s+|$)/i.exec(reason);
  if (glob) reason = reason.slice(glob[0].length).trim();
  return {
    name: "learn",
    text: reason,
    org: false,
    reply: true,
    ...(glob ? { path: glob[1] } : {}),
  };
}
