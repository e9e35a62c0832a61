import { parse as parseYaml } from "yaml";
import { CONFIG_PATH, defaultRepoConfig } from "../config/repo-config.schema.js";
import {
  type ConfigSource,
  type ResolvedRepoConfig,
  resolveRepoConfig,
} from "../config/resolve-repo-config.js";
import { type ReviewSources, RULES_DIR, rulesOf, textOf } from "./fetch-sources.js";
import {
  instructionFields,
  parseInstructionFields,
  type ReadInstructions,
} from "./instruction-files.js";
import { loadRepoConfig } from "./load-repo-config.js";
import type { GitHub } from "./octokit.js";
import {
  findOwnComment,
  type IssueComment,
  type OwnIdentity,
  type PullRef,
} from "./pull-request.js";
import {
  type CriticThread,
  criticThreads,
  THREADS_FIELDS,
  type ThreadsAnswer,
} from "./review-threads.js";

/** Everything a review reads from GitHub before it starts, besides the list of changed files. */
export type ReviewContext = {
  config: ResolvedRepoConfig;
  /** Critic's summary comment on the pull request, when there is one. */
  summary: IssueComment | undefined;
  /** Head versions of the prefetched files, and the repository's own rules. */
  sources: ReviewSources;
  /** The paths whose head versions were asked for (found or not). */
  prefetched: ReadonlySet<string>;
  /** False when the one query failed and the rules are still to be read. */
  rulesRead: boolean;
  /** Critic's inline comments on this pull request, as their review threads stand. */
  threads: CriticThread[];
  /** The repository's instruction files from the base commit, when asked for. */
  instructions?: ReadInstructions | undefined;
};

/** Head files read in the one query; a larger pull request reads the rest later, 100 a query. */
export const PREFETCH_FILES = 100;

type Blob = { text?: string | null; byteSize?: number; isBinary?: boolean | null } | null;
type CommentNode = {
  fullDatabaseId?: string | number | null;
  body?: string | null;
  viewerDidAuthor?: boolean | null;
  author?: { __typename?: string; login?: string } | null;
} | null;
type Comments = {
  pageInfo?: { hasNextPage?: boolean; endCursor?: string | null };
  nodes?: CommentNode[] | null;
} | null;
type Answer = {
  repository?: Record<string, unknown> | null;
  org?: { config?: Blob } | null;
};

const BLOB = "... on Blob { text byteSize isBinary }";
const COMMENTS = `comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { fullDatabaseId body viewerDidAuthor author { __typename login } } }`;

type ContextParams = {
  ref: PullRef;
  headSha: string;
  own: OwnIdentity;
  marker: string;
  paths: readonly string[];
  maxBytes: number;
  configPath?: string | undefined;
  /** Instruction files to read from the base commit (those already known are not read again). */
  instructions?:
    | {
        base: string;
        changedPaths: readonly string[];
        known?: ReadInstructions | undefined;
      }
    | undefined;
};

/**
 * The review's reads in one GraphQL request: the configuration (the repository's file on its
 * default branch, and the organisation's `.github` repository's for when it has none), the
 * repository's own rules, Critic's summary comment, the review threads of its inline comments
 * (resolved, outdated, replies, reactions), and the head version of up to 100 of the
 * files the static engine parses. One request instead of five or more REST calls keeps a review
 * within its call budget; see README, "GitHub calls". Should the combined read fail, each part is
 * read on its own as before, so a review never depends on it.
 */
export async function readReviewContext(gh: GitHub, params: ContextParams): Promise<ReviewContext> {
  const { ref } = params;
  const configPath = params.configPath ?? CONFIG_PATH;
  const paths = params.paths.slice(0, PREFETCH_FILES);
  const wanted = params.instructions;
  const instructions = wanted ? instructionFields(wanted) : undefined;
  const variables: Record<string, string | number | null> = {
    owner: ref.owner,
    repo: ref.repo,
    number: ref.pullNumber,
    config: `HEAD:${configPath}`,
    rules: `HEAD:${RULES_DIR}`,
    after: null,
  };
  const files = paths.map((path, i) => {
    variables[`p${i}`] = `${params.headSha}:${path}`;
    return `f${i}: object(expression: $p${i}) { ${BLOB} }`;
  });
  const declared = [
    "$owner: String!",
    "$repo: String!",
    "$number: Int!",
    "$config: String!",
    "$rules: String!",
    "$after: String",
    ...paths.map((_, i) => `$p${i}: String!`),
    ...(instructions?.declared ?? []),
  ].join(", ");
  Object.assign(variables, instructions?.variables);
  const query = `query(${declared}) { repository(owner: $owner, name: $repo) { config: object(expression: $config) { ${BLOB} } rules: object(expression: $rules) { ... on Tree { entries { name type object { ${BLOB} } } } } pullRequest(number: $number) { ${COMMENTS} ${THREADS_FIELDS} } ${files.join(" ")} ${instructions?.fields ?? ""} } org: repository(owner: $owner, name: ".github") { config: object(expression: $config) { ${BLOB} } } }`;

  let answer: Answer;
  try {
    answer = await graphqlAllowingMissingOrg<Answer>(gh, query, variables);
  } catch {
    return readSeparately(gh, { ...params, configPath, paths });
  }
  const repository = answer.repository;
  const pull = repository?.pullRequest as
    | { comments?: Comments; reviewThreads?: ThreadsAnswer }
    | null
    | undefined;
  if (!repository || !pull) return readSeparately(gh, { ...params, configPath, paths });

  const headTexts = new Map<string, string>();
  paths.forEach((path, i) => {
    const text = textOf(repository[`f${i}`] as Blob, params.maxBytes);
    if (text !== undefined) headTexts.set(path, text);
  });
  const summary =
    ownComment(pull.comments, params.own, params.marker) ??
    (await laterComment(gh, ref, pull.comments, params.own, params.marker));
  const config = await configFrom(gh, ref, configPath, {
    repo: repository.config as Blob,
    org: answer.org?.config ?? null,
  });
  return {
    config,
    summary,
    sources: { headTexts, ruleSources: rulesOf(repository.rules) },
    prefetched: new Set(paths),
    rulesRead: true,
    threads: criticThreads(pull.reviewThreads),
    instructions: instructions
      ? (parseInstructionFields(repository, instructions.plan, wanted?.known) ?? wanted?.known)
      : undefined,
  };
}

/**
 * A query naming the organisation's `.github` repository fails with NOT_FOUND there when it
 * does not exist or the App cannot see it; the rest of the answer is good.
 */
async function graphqlAllowingMissingOrg<T>(
  gh: GitHub,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  try {
    return await gh.graphql<T>(query, variables);
  } catch (error) {
    const partial = error as { errors?: Array<{ path?: unknown[] }>; data?: T };
    const onlyOrg =
      Array.isArray(partial.errors) &&
      partial.errors.length > 0 &&
      partial.errors.every((e) => Array.isArray(e.path) && e.path[0] === "org");
    if (onlyOrg && partial.data) return partial.data;
    throw error;
  }
}

/**
 * Critic's summary: it carries the marker and was written by a bot that is this token's own
 * identity (the App's bot, or in an Action the workflow's bot). A human quoting the marker, or
 * another bot, cannot take it over. GraphQL gives bot logins without "[bot]".
 */
function ownComment(
  comments: Comments | undefined,
  own: OwnIdentity,
  marker: string,
): IssueComment | undefined {
  const botName = own.botLogin?.replace(/\[bot\]$/, "");
  for (const node of comments?.nodes ?? []) {
    if (!node?.body?.includes(marker) || node.author?.__typename !== "Bot") continue;
    const mine =
      node.viewerDidAuthor === true || (botName !== undefined && node.author.login === botName);
    const id = Number(node.fullDatabaseId);
    if (mine && Number.isSafeInteger(id) && id > 0) return { id, body: node.body };
  }
  return undefined;
}

/** A pull request with more than 100 comments: the rest are read a page at a time. */
async function laterComment(
  gh: GitHub,
  ref: PullRef,
  first: Comments | undefined,
  own: OwnIdentity,
  marker: string,
): Promise<IssueComment | undefined> {
  let page = first;
  const query = `query($owner: String!, $repo: String!, $number: Int!, $after: String) { repository(owner: $owner, name: $repo) { pullRequest(number: $number) { ${COMMENTS} } } }`;
  while (page?.pageInfo?.hasNextPage && page.pageInfo.endCursor) {
    const data = await gh.graphql<{
      repository?: { pullRequest?: { comments?: Comments } | null } | null;
    }>(query, {
      owner: ref.owner,
      repo: ref.repo,
      number: ref.pullNumber,
      after: page.pageInfo.endCursor,
    });
    page = data.repository?.pullRequest?.comments ?? null;
    const found = ownComment(page, own, marker);
    if (found) return found;
  }
  return undefined;
}

/**
 * The repository's file, or else the organisation's, as `context.config` resolves them. A file
 * that extends another (`_extends`) is read the long way, which follows it.
 */
async function configFrom(
  gh: GitHub,
  ref: PullRef,
  path: string,
  blobs: { repo: Blob; org: Blob },
): Promise<ResolvedRepoConfig> {
  const own = blobs.repo?.text != null;
  const text = own ? blobs.repo?.text : blobs.org?.text;
  if (text == null) return resolveRepoConfig([]);
  const label = own ? path : `${ref.owner}/.github:${path}`;
  const defaults = (why: string): ResolvedRepoConfig => ({
    config: defaultRepoConfig(),
    errors: [`${label}: ${why}; using the defaults.`],
  });
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const why = error instanceof Error ? (error.message.split("\n")[0] ?? "") : "not YAML";
    return defaults(`could not be read (${why})`);
  }
  if (parsed === null || parsed === undefined) return resolveRepoConfig([]);
  if (typeof parsed !== "object" || Array.isArray(parsed))
    return defaults("is not a mapping of keys to values");
  if ("_extends" in parsed) return loadRepoConfig(gh, ref, path);
  const sources: ConfigSource[] = [{ label, config: parsed as Record<string, unknown> }];
  return resolveRepoConfig(sources);
}

/** The reads one at a time: the configuration, the summary, and the head files with the rules. */
async function readSeparately(
  gh: GitHub,
  params: Omit<ContextParams, "configPath" | "instructions"> & { configPath: string },
): Promise<ReviewContext> {
  const config = await loadRepoConfig(gh, params.ref, params.configPath);
  const summary = await findOwnComment(gh, params.ref, params.marker, params.own);
  // The head files are read when the engine asks for them; nothing is prefetched.
  return {
    config,
    summary,
    sources: { headTexts: new Map(), ruleSources: [] },
    prefetched: new Set(),
    rulesRead: false,
    // Outcomes wait for the next review; nothing is resolved or held back this time.
    threads: [],
  };
}
