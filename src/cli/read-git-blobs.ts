import { runGit } from "./run-git.js";

export type BlobLimits = {
  /** A blob larger than this is left out (the engine parses that file's hunks). */
  maxFileBytes: number;
  /** Once this much has been read, the remaining blobs are left out too. */
  maxTotalBytes: number;
};

/**
 * Reads blobs out of the repository's object store (`<commit>:<path>` or an object id per spec),
 * not out of its working tree, in two git processes however many there are: `cat-file
 * --batch-check` for their sizes, then `cat-file --batch` for those within the limits. Missing,
 * binary and oversized blobs are left out of the answer.
 */
export async function readGitBlobs(
  repo: string,
  specs: readonly string[],
  limits: BlobLimits,
): Promise<Map<string, string>> {
  // One spec per line: a path with a line break in it cannot be asked for, so it is left out.
  const asked = specs.filter((s) => !s.includes("\n") && !s.includes("\r"));
  const texts = new Map<string, string>();
  if (asked.length === 0) return texts;
  const check = await runGit(
    repo,
    ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
    { input: `${asked.join("\n")}\n`, maxBytes: asked.length * 200 + 4096 },
  );
  const wanted: Array<{ spec: string; oid: string; size: number }> = [];
  let total = 0;
  for (const [i, line] of check.toString("utf8").split("\n").slice(0, asked.length).entries()) {
    const [oid, type, size] = line.split(" ");
    const bytes = Number(size);
    const spec = asked[i];
    if (spec === undefined || oid === undefined || type !== "blob" || !Number.isFinite(bytes))
      continue;
    if (bytes > limits.maxFileBytes || total + bytes > limits.maxTotalBytes) continue;
    total += bytes;
    wanted.push({ spec, oid, size: bytes });
  }
  if (wanted.length === 0) return texts;
  const out = await runGit(repo, ["cat-file", "--batch"], {
    input: `${wanted.map((w) => w.oid).join("\n")}\n`,
    maxBytes: total + wanted.length * 200 + 4096,
  });
  // Each answer is "<oid> blob <size>\n", the content, then "\n".
  let at = 0;
  for (const { spec, size } of wanted) {
    const headerEnd = out.indexOf(0x0a, at);
    if (headerEnd < 0) break;
    const content = out.subarray(headerEnd + 1, headerEnd + 1 + size);
    at = headerEnd + 1 + size + 1;
    if (content.includes(0)) continue; // binary
    texts.set(spec, content.toString("utf8"));
  }
  return texts;
}

/** The blobs of one folder of a commit, by name: `git ls-tree`, never the working tree. */
export async function listGitFolder(
  repo: string,
  commit: string,
  folder: string,
): Promise<Array<{ name: string; oid: string }>> {
  const out = await runGit(repo, ["ls-tree", "-z", "--full-tree", commit, "--", `${folder}/`], {
    maxBytes: 4 * 1024 * 1024,
  });
  const entries: Array<{ name: string; oid: string }> = [];
  for (const entry of out.toString("utf8").split("\0")) {
    // "<mode> <type> <oid>\t<path>"
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(entry);
    if (match?.[1] && match[2])
      entries.push({ oid: match[1], name: match[2].slice(folder.length + 1) });
  }
  return entries;
}
