import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import type { GitHub } from "../github/octokit.js";
import type { RepoRef } from "./repo-url.js";
import type { TreeEntry } from "./select-files.js";

/** A repository to assess: its files (paths and sizes) and a way to read one. */
export type RepoSource = {
  /** `owner/repo` or the folder's name, for the report. */
  name: string;
  /** What was read: a branch, tag or commit, or "working tree". */
  ref: string;
  entries: TreeEntry[];
  /** Set when the listing is incomplete (GitHub truncates trees of about 100,000 entries). */
  truncated: boolean;
  read(path: string): Promise<Buffer>;
};

// Folders never worth walking into on disk: their files would all be skipped anyway.
const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  "vendor",
  "dist",
  "build",
  "target",
  ".venv",
  "__pycache__",
]);
const MAX_LOCAL_ENTRIES = 50_000;

/**
 * A repository through GitHub's API: one call for its metadata (default branch, visibility), one
 * for the recursive tree, then one blob per file read. `publicOnly` refuses a private one. Nothing but the API of the configured host
 * is fetched.
 */
export async function openGitHubRepository(
  gh: GitHub,
  repo: RepoRef,
  ref?: string,
  options: { publicOnly?: boolean } = {},
): Promise<RepoSource> {
  const { data: meta } = await gh.rest.repos.get({ ...repo });
  // The operator's pooled tokens may see their own private repositories: those are not for
  // API callers to read. Refused as not found, which tells nothing about whether it exists.
  if (options.publicOnly && meta.private !== false)
    throw Object.assign(new Error(`${repo.owner}/${repo.repo} was not found`), { status: 404 });
  const at = ref ?? meta.default_branch;
  const { data: tree } = await gh.rest.git.getTree({ ...repo, tree_sha: at, recursive: "1" });
  const blobs = new Map<string, string>();
  const entries: TreeEntry[] = [];
  for (const item of tree.tree) {
    if (item.type !== "blob" || !item.path || !item.sha) continue;
    blobs.set(item.path, item.sha);
    entries.push({ path: item.path, size: item.size ?? 0 });
  }
  return {
    name: `${repo.owner}/${repo.repo}`,
    ref: at,
    entries,
    truncated: tree.truncated === true,
    async read(path) {
      const sha = blobs.get(path);
      if (!sha) throw new Error(`${path} is not in the tree`);
      const { data } = await gh.rest.git.getBlob({ ...repo, file_sha: sha });
      return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
    },
  };
}

/** A folder on disk (the CLI): every regular file under it, symbolic links not followed. */
export async function openLocalFolder(folder: string): Promise<RepoSource> {
  const root = resolve(folder);
  const entries: TreeEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      if (entries.length >= MAX_LOCAL_ENTRIES) return;
      const full = join(dir, dirent.name);
      if (dirent.isDirectory()) {
        if (!SKIP_DIRS.has(dirent.name)) await walk(full);
      } else if (dirent.isFile()) {
        entries.push({
          path: relative(root, full).split(sep).join("/"),
          size: (await lstat(full)).size,
        });
      }
    }
  };
  await walk(root);
  const known = new Set(entries.map((e) => e.path));
  return {
    name: basename(root),
    ref: "working tree",
    entries,
    truncated: entries.length >= MAX_LOCAL_ENTRIES,
    async read(path) {
      // Only paths from the listing: a path cannot climb out of the folder.
      if (!known.has(path)) throw new Error(`${path} is not in the folder`);
      return readFile(join(root, ...path.split("/")));
    },
  };
}
