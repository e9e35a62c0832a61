import type { RuleSource } from "../engine/static/compile-rules.js";
import type { GitHub } from "./octokit.js";

export type ReviewSources = {
  /** Head versions of the requested files that could be had, by path. */
  headTexts: Map<string, string>;
  /** `.github/critic/rules/*.yml` from the default branch. */
  ruleSources: RuleSource[];
};

export const RULES_DIR = ".github/critic/rules";
const PER_QUERY = 50;

type Blob = { text?: string | null; byteSize?: number; isBinary?: boolean | null } | null;
type Tree = { entries?: Array<{ name: string; type: string; object: Blob }> } | null;

/**
 * The head version of each file the static engine parses, and the repository's own rules, in as
 * few GraphQL requests as fit (50 files each; the rules ride along with the first). One request
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
  },
): Promise<ReviewSources> {
  const headTexts = new Map<string, string>();
  const ruleSources: RuleSource[] = [];
  const batches: string[][] = [];
  for (let i = 0; i < params.paths.length; i += PER_QUERY)
    batches.push(params.paths.slice(i, i + PER_QUERY));
  if (batches.length === 0) batches.push([]);

  for (const [index, batch] of batches.entries()) {
    const withRules = index === 0;
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
      const blob = repository[`f${i}`] as Blob;
      if (blob?.text != null && !blob.isBinary && (blob.byteSize ?? 0) <= params.maxBytes)
        headTexts.set(path, blob.text);
    });
    if (withRules) {
      for (const entry of (repository.rules as Tree)?.entries ?? []) {
        if (entry.type !== "blob" || !/\.ya?ml$/.test(entry.name) || entry.object?.text == null)
          continue;
        ruleSources.push({ label: `${RULES_DIR}/${entry.name}`, text: entry.object.text });
      }
    }
  }
  return { headTexts, ruleSources };
}
