import { runGit } from "./run-git.js";

export type BlobLimits = {
  /** A blob larger than this is left out (the engine parses that file's hunks). */
  maxFileBytes: number;
  /** Once `cat-file --batch` would print this much, the remaining blobs are left out too. */
  maxTotalBytes: number;
};

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// `--batch-check`'s answer for an object it found. Anything else is not one: `<spec> missing` and
// `<spec> ambiguous` echo the spec, so `HEAD:x blob 50 missing` must not read as a 50-byte blob.
const FOUND = /^(?<oid>[0-9a-f]{40}|[0-9a-f]{64}) (?<type>[a-z]+) (?<size>\d+)$/;
// Specs holding a line break are resolved one `rev-parse` each; past this many, left out.
const MAX_MULTILINE_SPECS = 16;

/**
 * Reads blobs out of the repository's object store (`<commit>:<path>` or an object id per spec),
 * not out of its working tree, in two git processes however many there are: `cat-file
 * --batch-check` for their ids and sizes, then `cat-file --batch` by id for those within the
 * limits. Missing, binary and oversized blobs are left out of the answer.
 */
export async function readGitBlobs(
  repo: string,
  specs: readonly string[],
  limits: BlobLimits,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const asked = await askable(repo, specs);
  if (asked.length === 0) return texts;
  const input = `${asked.map((a) => a.line).join("\n")}\n`;
  const check = await runGit(
    repo,
    ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
    // Each answer is an id, a type and a size, or the line asked with " missing" after it.
    { input, maxBytes: Buffer.byteLength(input) + asked.length * 100 + 4096 },
  );
  const answers = check.toString("utf8").split("\n");
  const wanted: Array<{ spec: string; oid: string; size: number }> = [];
  let total = 0;
  for (const [i, { spec }] of asked.entries()) {
    const found = FOUND.exec(answers[i] ?? "")?.groups;
    // Missing, ambiguous, a folder, or a submodule's commit.
    if (found?.oid === undefined || found.type !== "blob" || found.size === undefined) continue;
    const size = Number(found.size);
    // What `--batch` prints for it: "<oid> blob <size>\n", the content, then "\n".
    const answerBytes = found.oid.length + 7 + found.size.length + size + 1;
    if (size > limits.maxFileBytes || total + answerBytes > limits.maxTotalBytes) continue;
    total += answerBytes;
    wanted.push({ spec, oid: found.oid, size });
  }
  if (wanted.length === 0) return texts;
  const out = await runGit(repo, ["cat-file", "--batch"], {
    input: `${wanted.map((w) => w.oid).join("\n")}\n`,
    maxBytes: total,
  });
  let at = 0;
  for (const { spec, oid, size } of wanted) {
    const headerEnd = out.indexOf(0x0a, at);
    if (headerEnd < 0) break;
    const header = out.subarray(at, headerEnd).toString("utf8");
    if (header === `${oid} missing`) {
      at = headerEnd + 1;
      continue;
    }
    // An answer for another object than the one asked: nothing after it can be placed.
    if (header !== `${oid} blob ${size}`) break;
    const content = out.subarray(headerEnd + 1, headerEnd + 1 + size);
    at = headerEnd + 1 + size + 1;
    if (content.includes(0)) continue; // binary
    texts.set(spec, content.toString("utf8"));
  }
  return texts;
}

/**
 * Each spec with the line `cat-file` is given for it: the spec itself, one a line, or the object
 * id of one holding a line break (git would read it as two specs, or drop a trailing CR and ask
 * for another file), found with `rev-parse`.
 */
async function askable(
  repo: string,
  specs: readonly string[],
): Promise<Array<{ spec: string; line: string }>> {
  const asked: Array<{ spec: string; line: string }> = [];
  let multiline = 0;
  for (const spec of specs) {
    if (!/[\r\n]/.test(spec)) {
      asked.push({ spec, line: spec });
      continue;
    }
    if (spec.startsWith("-") || ++multiline > MAX_MULTILINE_SPECS) continue;
    const oid = await runGit(repo, ["rev-parse", "--verify", "--quiet", spec], { maxBytes: 4096 })
      .then((out) => out.toString("utf8").trim())
      .catch(() => "");
    if (OBJECT_ID.test(oid)) asked.push({ spec, line: oid });
  }
  return asked;
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
