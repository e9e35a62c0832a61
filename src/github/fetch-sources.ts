import type { RuleSource } from "../engine/static/compile-rules.js";
import type { GitHub } from "./octokit.js";

export type ReviewSources = {
  /** Head versions of the requested files that could be had, by path. */
  headTexts: Map<string, string>;
  /** `.github/critic/rules/*.yml` from the default branch. */
  ruleSources: RuleSource[];
};

export const RULES_DIR = ".github/critic/rules";
const PER_QUERY = 100;

type Blob = { text?: string | null; byteSize?: number; isBinary?: boolean | null } | null;
type Tree = { entries?: Array<{ name: string; type: string; object: Blob }> } | null;

/** A blob's text when it is text and within `maxBytes`; the engine parses hunks otherwise. */
export function textOf(blob: Blob | undefined, maxBytes: number): string | undefined {
  if (blob?.text == null || blob.isBinary || (blob.byteSize ?? 0) > maxBytes) return undefined;
  return blob.text;
}

/** The `.yml` and `.yaml` files of the rules folder, from a GraphQL tree. */
export function rulesOf(tree: unknown): RuleSource[] {
  const rules: RuleSource[] = [];
  for (const entry of (tree as Tree)?.entries ?? []) {
    if (entry.type !== "blob" || !/\.ya?ml$/.test(entry.name) || entry.object?.text == null)
      continue;
    rules.push({ label: `${RULES_DIR}/${entry.name}`, text: entry.object.text });
  }
  return rules;
}

/**
 * The head version of each file the static engine parses, and the repository's own rules, in as
 * few GraphQL requests as fit (100 files each; the rules ride along with the first). One request
 * instead of one contents call per file keeps a review's REST budget small. Files larger than
 * `maxBytes`, binary or missing are left out: the engine parses their hunks instead. Rules come
 * from the default branch (`HEAD:`), never from the pull request.
 */
export async function fetchReviewSources(
  gh: GitHub,
  params: {
    owner: string;
    repo: string;
    headSha: string;
    paths: readonly string[];
    maxBytes: number;
    /** False when the rules were read already (with the review's context). */
    withRules?: boolean | undefined;
  },
): Promise<ReviewSources> {
  const headTexts = new Map<string, string>();
  const ruleSources: RuleSource[] = [];
  const batches: string[][] = [];
  for (let i = 0; i < params.paths.length; i += PER_QUERY)
    batches.push(params.paths.slice(i, i + PER_QUERY));
  const wantRules = params.withRules !== false;
  if (batches.length === 0 && wantRules) batches.push([]);

  for (const [index, batch] of batches.entries()) {
    const withRules = index === 0 && wantRules;
    const variables: Record<string, string> = { owner: params.owner, repo: params.repo };
    const fields: string[] = [];
    batch.forEach((path, i) => {
      variables[`p${i}`] = `${params.headSha}:${path}`;
      fields.push(`f${i}: object(expression: $p${i}) { ... on Blob { text byteSize isBinary } }`);
    });
    if (withRules) {
      variables.rules = `HEAD:${RULES_DIR}`;
      fields.push(
        "rules: object(expression: $rules) { ... on Tree { entries { name type object { ... on Blob { text byteSize isBinary } } } } }",
      );
    }
    const declared = Object.keys(variables)
      .map((name) => `$${name}: String!`)
      .join(", ");
    const query = `query(${declared}) { repository(owner: $owner, name: $repo) { ${fields.join(" ")} } }`;
    const data = await gh.graphql<{ repository: Record<string, Blob | Tree> | null }>(
      query,
      variables,
    );
    const repository = data.repository ?? {};
    batch.forEach((path, i) => {
      const text = textOf(repository[`f${i}`] as Blob, params.maxBytes);
      if (text !== undefined) headTexts.set(path, text);
    });
    if (withRules) ruleSources.push(...rulesOf(repository.rules));
  }
  return { headTexts, ruleSources };
}

/**
 * The head text of files GitHub sent without a diff, to scan them whole: their sizes in one
 * GraphQL query, then each text file within `maxBytes` read raw (one request each, in turn, so
 * at most one is held while it arrives). Binary files, larger ones and those that cannot be read
 * are left out.
 */
export async function fetchUndiffedTexts(
  gh: GitHub,
  params: {
    owner: string;
    repo: string;
    headSha: string;
    paths: readonly string[];
    maxBytes: number;
    /** All texts together; a file that would pass it is left out. */
    maxTotalBytes: number;
  },
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (params.paths.length === 0) return texts;
  let total = 0;
  const variables: Record<string, string> = { owner: params.owner, repo: params.repo };
  const fields = params.paths.map((path, i) => {
    variables[`p${i}`] = `${params.headSha}:${path}`;
    return `f${i}: object(expression: $p${i}) { ... on Blob { byteSize isBinary } }`;
  });
  const declared = Object.keys(variables)
    .map((name) => `$${name}: String!`)
    .join(", ");
  const data = await gh.graphql<{
    repository: Record<string, { byteSize?: number; isBinary?: boolean } | null> | null;
  }>(
    `query(${declared}) { repository(owner: $owner, name: $repo) { ${fields.join(" ")} } }`,
    variables,
  );
  for (const [i, path] of params.paths.entries()) {
    const blob = data.repository?.[`f${i}`];
    const size = blob?.byteSize ?? Number.POSITIVE_INFINITY;
    if (blob?.isBinary !== false || size > params.maxBytes || total + size > params.maxTotalBytes)
      continue;
    const answer = await gh
      .request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: params.owner,
        repo: params.repo,
        path,
        ref: params.headSha,
        headers: { accept: "application/vnd.github.raw" },
      })
      .catch(() => undefined);
    const raw = answer?.data as unknown;
    const text =
      typeof raw === "string"
        ? raw
        : raw instanceof ArrayBuffer
          ? new TextDecoder().decode(raw)
          : undefined;
    const bytes = text === undefined ? 0 : Buffer.byteLength(text);
    if (text === undefined || bytes > params.maxBytes || total + bytes > params.maxTotalBytes)
      continue;
    total += bytes;
    texts.set(path, text);
  }
  return texts;
}
