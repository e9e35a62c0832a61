import { candidatePaths } from "../engine/instructions/candidate-paths.js";
import {
  FIXED_PATHS,
  INSTRUCTION_FOLDERS,
  type InstructionFile,
  type InstructionSet,
  MAX_INSTRUCTION_BYTES,
} from "../engine/instructions/instruction-set.js";
import { readInstructionFile } from "../engine/instructions/read-instruction-file.js";

/**
 * Instruction files read at one base commit, with every path that was asked for (found or not),
 * so a later review of the same commit asks only for what it has not seen.
 */
export type ReadInstructions = InstructionSet & { oid: string; asked: ReadonlySet<string> };

/** What the fields ask for, alias by alias: the parser's map of the answer. */
export type InstructionPlan = {
  base: string;
  /** The alias of the base commit's oid, when asked. */
  oid?: string | undefined;
  blobs: ReadonlyArray<{ alias: string; path: string }>;
  folders: ReadonlyArray<{ alias: string; dir: string }>;
};

/** GraphQL to add to the review's one query, inside `repository(…) { … }`. */
export type InstructionFields = {
  /** Variable declarations for the query's header (`$i0: String!`); empty when nothing is asked. */
  declared: string[];
  /** Aliased fields, space-separated; `""` when nothing is asked. */
  fields: string;
  variables: Record<string, string>;
  plan: InstructionPlan;
};

const BLOB = "... on Blob { text byteSize isBinary }";
type Blob = { text?: string | null; byteSize?: number; isBinary?: boolean | null } | null;
type Tree = { entries?: Array<{ name?: string; type?: string; object?: Blob }> | null } | null;

/**
 * The fields that read a repository's instruction files at `base` in the review's one GraphQL
 * query: the AGENTS.md and CLAUDE.md of every folder at or above a changed file (at most 200,
 * see `candidatePaths`), `.cursorrules`, `.github/copilot-instructions.md`,
 * `.gemini/styleguide.md`, the `.cursor/rules` and `.github/instructions` folders as trees with
 * their blobs, and the base commit's oid (the cache's key). `base` is the pull request's base
 * commit (`pull_request.base.sha`) or, when unknown, a ref (`HEAD` is the default branch); never
 * the head, which the pull request's author controls. With `known` (this commit, from the
 * cache) only paths it has not asked for are asked; with `skip`, nothing.
 */
export function instructionFields(params: {
  base: string;
  changedPaths: readonly string[];
  known?: ReadInstructions | undefined;
  skip?: boolean | undefined;
}): InstructionFields {
  const variables: Record<string, string> = {};
  const fields: string[] = [];
  const plan = {
    base: params.base,
    oid: undefined as string | undefined,
    blobs: [] as Array<{ alias: string; path: string }>,
    folders: [] as Array<{ alias: string; dir: string }>,
  };
  if (params.skip) return { declared: [], fields: "", variables, plan };
  const asked = params.known?.asked;
  const ask = (alias: string, expression: string, selection: string) => {
    variables[alias] = expression;
    fields.push(`${alias}: object(expression: $${alias}) { ${selection} }`);
  };
  const paths = [...candidatePaths(params.changedPaths), ...FIXED_PATHS].filter(
    (path) => !asked?.has(path),
  );
  paths.forEach((path, i) => {
    ask(`i${i}`, `${params.base}:${path}`, BLOB);
    plan.blobs.push({ alias: `i${i}`, path });
  });
  INSTRUCTION_FOLDERS.filter((f) => !asked?.has(`${f.dir}/`)).forEach((folder, i) => {
    ask(
      `idir${i}`,
      `${params.base}:${folder.dir}`,
      `... on Tree { entries { name type object { ${BLOB} } } }`,
    );
    plan.folders.push({ alias: `idir${i}`, dir: folder.dir });
  });
  if (fields.length > 0 && !params.known) {
    ask("ibase", params.base, "oid");
    plan.oid = "ibase";
  }
  return {
    declared: Object.keys(variables).map((name) => `$${name}: String!`),
    fields: fields.join(" "),
    variables,
    plan,
  };
}

/**
 * The instruction files in the answer to `instructionFields` (`repository` is the answer's
 * `repository` object), added to `known` when the fields were built from it. `undefined` when
 * the base commit could not be resolved (deleted, or the answer lacks it): the review then runs
 * without repository instructions, and nothing is cached. Binary blobs, folders' sub-folders and
 * files that do not apply on their own (see `readInstructionFile`) are left out; texts are
 * cleaned and cut to 16 KB.
 */
export function parseInstructionFields(
  repository: Record<string, unknown> | null | undefined,
  plan: InstructionPlan,
  known?: ReadInstructions | undefined,
): ReadInstructions | undefined {
  const oidAnswer = plan.oid ? (repository?.[plan.oid] as { oid?: unknown } | null) : undefined;
  const oid =
    known?.oid ??
    (typeof oidAnswer?.oid === "string" && oidAnswer.oid !== "" ? oidAnswer.oid : undefined);
  if (!repository || oid === undefined) return undefined;
  const files = new Map<string, InstructionFile>((known?.files ?? []).map((f) => [f.path, f]));
  const asked = new Set(known?.asked ?? []);
  const add = (path: string, blob: Blob | undefined) => {
    const text = blobText(blob);
    const file = text === undefined ? undefined : readInstructionFile(path, text);
    if (file) files.set(path, file);
  };
  for (const { alias, path } of plan.blobs) {
    asked.add(path);
    add(path, repository[alias] as Blob | undefined);
  }
  for (const { alias, dir } of plan.folders) {
    asked.add(`${dir}/`);
    const folder = INSTRUCTION_FOLDERS.find((f) => f.dir === dir);
    const entries = (repository[alias] as Tree | undefined)?.entries ?? [];
    for (const entry of entries.slice(0, 200)) {
      const name = entry?.name;
      if (entry?.type !== "blob" || typeof name !== "string" || !folder) continue;
      if (!name.endsWith(folder.suffix) || name.includes("/")) continue;
      add(`${dir}/${name}`, entry.object);
    }
  }
  return {
    oid,
    asked,
    files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

/**
 * A blob's text, when it is text. Larger blobs are kept to their first 16 KB (four times that
 * in characters, so a multi-byte text is not cut short here; `readInstructionFile` cuts bytes).
 */
function blobText(blob: Blob | undefined): string | undefined {
  if (blob?.text == null || blob.isBinary) return undefined;
  return blob.text.length > MAX_INSTRUCTION_BYTES * 4
    ? blob.text.slice(0, MAX_INSTRUCTION_BYTES * 4)
    : blob.text;
}
