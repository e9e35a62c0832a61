import type { RuleSource } from "../engine/static/compile-rules.js";
import { RULES_DIR } from "../github/fetch-sources.js";
import { MAX_INPUT_BYTES } from "./max-input-bytes.js";
import { listGitFolder, readGitBlobs } from "./read-git-blobs.js";

/** A commit of a local repository: where the CLI reads head files, configuration and rules. */
export type GitHead = { repo: string; sha: string };

// As the App: a file above 1 MB is parsed from its hunks. The total, the CLI's cap on what it
// reads from git, bounds a huge diff's memory: files past it are parsed from their hunks too.
const LIMITS = { maxFileBytes: 1_000_000, maxTotalBytes: MAX_INPUT_BYTES };

/**
 * The head version of each file, and `.github/critic/rules/*.yml`, from the commit's objects:
 * the working tree (uncommitted edits, another checkout, the current directory) plays no part.
 * A file left out (missing, binary, too large) is parsed from its hunks by the engine.
 */
export async function loadGitSources(
  head: GitHead,
  paths: readonly string[],
): Promise<{ headTexts: Map<string, string>; ruleSources: RuleSource[] }> {
  const [texts, rules] = await Promise.all([
    readGitBlobs(
      head.repo,
      paths.map((p) => `${head.sha}:${p}`),
      LIMITS,
    ),
    listGitFolder(head.repo, head.sha, RULES_DIR),
  ]);
  const headTexts = new Map<string, string>();
  for (const path of paths) {
    const text = texts.get(`${head.sha}:${path}`);
    if (text !== undefined) headTexts.set(path, text);
  }
  const ruleFiles = rules
    .filter((r) => /\.ya?ml$/.test(r.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const ruleTexts = await readGitBlobs(
    head.repo,
    ruleFiles.map((r) => r.oid),
    LIMITS,
  );
  const ruleSources = ruleFiles.flatMap((r) => {
    const text = ruleTexts.get(r.oid);
    return text === undefined ? [] : [{ label: `${RULES_DIR}/${r.name}`, text }];
  });
  return { headTexts, ruleSources };
}

/** One file of the commit, or undefined when it has none (or it is binary or over 1 MB). */
export async function readGitFile(head: GitHead, path: string): Promise<string | undefined> {
  return (await readGitBlobs(head.repo, [`${head.sha}:${path}`], LIMITS)).get(
    `${head.sha}:${path}`,
  );
}
