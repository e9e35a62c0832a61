import { estimateTokens } from "../pack/chunk-files.js";
import { type AppliedInstruction, mostSpecificFirst } from "./select-instructions.js";

/** Tokens of repository instructions in one model request. */
export const INSTRUCTION_TOKENS_PER_REQUEST = 1_500;
/** A block cut to fit keeps at least this many tokens; with less room it is left out. */
const MIN_PART_TOKENS = 150;
/** The files a block names as its own; more are counted. */
const NAMED_FILES = 10;

/** One instruction as a request carries it: a header naming its source and files, and its text. */
export type InstructionBlock = { source: string; text: string };

export type RequestInstructions = {
  blocks: InstructionBlock[];
  /** Sources given whole or in part. */
  used: string[];
  /** Sources cut, in part or whole, for the budget. */
  cut: string[];
};

/**
 * The instructions for one request's files within `budget` tokens: the most specific first
 * (`path_instructions`, then the deepest AGENTS.md, then glob-scoped files, then the ones for the
 * whole repository). Each block says where it is from and which of the request's files it is for
 * (named as the model sees them: `shown`, whose paths may be masked). A block that does not fit
 * is cut to the room left when that is worth it, else left out; both count as cut.
 */
export function instructionsForRequest(
  applyTo: (path: string) => AppliedInstruction[],
  files: ReadonlyArray<{ path: string; shown: string }>,
  options: { budget?: number; count?: (text: string) => number } = {},
): RequestInstructions {
  const count = options.count ?? estimateTokens;
  let room = options.budget ?? INSTRUCTION_TOKENS_PER_REQUEST;
  const byText = new Map<string, { applied: AppliedInstruction; shown: string[] }>();
  for (const file of files)
    for (const applied of applyTo(file.path)) {
      const entry = byText.get(applied.text) ?? { applied, shown: [] };
      entry.shown.push(file.shown);
      byText.set(applied.text, entry);
    }
  const ordered = mostSpecificFirst([...byText.values()].map((e) => e.applied));
  const result: RequestInstructions = { blocks: [], used: [], cut: [] };
  for (const applied of ordered) {
    const shown = [...new Set(byText.get(applied.text)?.shown ?? [])];
    const named =
      shown.length > NAMED_FILES
        ? `${shown.slice(0, NAMED_FILES).join(", ")} and ${shown.length - NAMED_FILES} more`
        : shown.join(", ");
    const header = `From ${applied.source} (for ${applied.scope}${applied.truncated ? "; cut at 16 KB" : ""}); here: ${named}`;
    const whole = `${header}\n${applied.text}`;
    const cost = count(whole);
    if (cost <= room) {
      result.blocks.push({ source: applied.source, text: whole });
      result.used.push(applied.source);
      room -= cost;
      continue;
    }
    result.cut.push(applied.source);
    if (room < MIN_PART_TOKENS) continue;
    const part = fitText(whole, room, count);
    if (part === undefined) continue;
    result.blocks.push({ source: applied.source, text: part });
    result.used.push(applied.source);
    room -= count(part);
  }
  return result;
}

const CUT = "\n… (cut: over the instructions' token budget)";

/** The longest prefix of `text`, cut at a line or word, that fits `room` tokens with the cut note. */
function fitText(text: string, room: number, count: (text: string) => number): string | undefined {
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(text.slice(0, mid) + CUT) <= room) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return undefined;
  const prefix = text.slice(0, lo);
  const at = Math.max(prefix.lastIndexOf("\n"), prefix.lastIndexOf(" "));
  return `${at > lo / 2 ? prefix.slice(0, at) : prefix}${CUT}`;
}
