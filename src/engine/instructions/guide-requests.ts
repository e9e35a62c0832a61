import type { Redactor } from "../../security/redactor.js";
import { sanitizeInstructions } from "../sanitize/sanitize-text.js";
import type { Sanitized } from "../sanitize/sanitized.js";
import { INSTRUCTION_TOKENS_PER_REQUEST, instructionsForRequest } from "./budget-instructions.js";
import type { InstructionSet, PathInstruction } from "./instruction-set.js";
import { compileInstructions } from "./select-instructions.js";

type Blocks = Sanitized<ReadonlyArray<{ source: string; text: string }>>;

/**
 * The repository instructions of a review's requests: `forFiles` gives one request's (sanitized,
 * within budget), and `summary` what was used and cut over all of them, adding a note to `notes`
 * when some were cut. Without a model (`enabled` false) or any instruction, it gives nothing.
 */
export function guideRequests(params: {
  redactor: Redactor;
  set: InstructionSet | undefined;
  pathInstructions: readonly PathInstruction[];
  enabled: boolean;
  budget?: number | undefined;
}) {
  const any = (params.set?.files.length ?? 0) > 0 || params.pathInstructions.length > 0;
  const applyTo =
    params.enabled && any
      ? compileInstructions(params.set ?? { oid: undefined, files: [] }, params.pathInstructions)
      : undefined;
  const used = new Set<string>();
  const cut = new Set<string>();
  return {
    /** `files` as the model sees them; `realPath` maps a masked path back to the file's own. */
    async forFiles(
      files: ReadonlyArray<{ path: string }>,
      realPath: ReadonlyMap<string, string>,
    ): Promise<Blocks | undefined> {
      if (!applyTo) return undefined;
      const request = instructionsForRequest(
        applyTo,
        files.map((f) => ({ path: realPath.get(f.path) ?? f.path, shown: f.path })),
        { budget: params.budget ?? INSTRUCTION_TOKENS_PER_REQUEST },
      );
      for (const source of request.used) used.add(source);
      for (const source of request.cut) cut.add(source);
      return request.blocks.length > 0
        ? sanitizeInstructions(params.redactor, request.blocks)
        : undefined;
    },
    summary(notes: string[]): { used: string[]; cut: string[] } | undefined {
      if (used.size === 0 && cut.size === 0) return undefined;
      if (cut.size > 0)
        notes.push(
          `Repository instructions were cut to fit their budget (${(params.budget ?? INSTRUCTION_TOKENS_PER_REQUEST).toLocaleString("en-US")} tokens a request, the most specific first): ${[...cut].map(code).join(", ")}.`,
        );
      return { used: [...used], cut: [...cut] };
    },
  };
}

function code(name: string): string {
  return `\`${name.replaceAll("`", "'")}\``;
}
