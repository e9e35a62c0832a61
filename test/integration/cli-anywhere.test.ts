import { mkdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { createRepo, runCli, spawnCli, tempDir } from "../helpers/run-cli.js";

type Json = {
  inline: Array<{ path: string; line: number; severity: string; source: string; basis?: string }>;
  summaryOnly: Array<{ path: string; line: number; severity: string; source: string }>;
  notes: string[];
  files: Array<{ path: string; reviewed: boolean; reason?: string }>;
};

// A function whose complexity is only visible from the whole file: the change touches one line
// deep inside it, far from its header, so its hunk alone does not hold the function.
const branches = Array.from({ length: 18 }, (_, i) => `  if (req.f${i}) score += ${i};`);
const before = [
  "export function route(req) {",
  "  let score = 0;",
  ...branches,
  "  return score;",
  "}",
  "",
].join("\n");
const after = before.replace("  return score;", "  if (req.extra) score += 100;\n  return score;");
// The line of issue 16: RegExp.prototype.exec, never a shell.
const hostOf = "export function hostOf(url) {\n  return /regex/.exec(url)?.[1];\n}\n";

describe("critic review from anywhere (issue 16)", () => {
  let repo: string;
  let elsewhere: string;
  let diffFile: string;

  beforeAll(async () => {
    const r = await createRepo();
    repo = r.dir;
    elsewhere = await tempDir("critic-cli-elsewhere-");
    await r.commit("base", { "src/route.js": before, "src/host.js": "export const v = 1;\n" });
    await r.git("checkout", "-qb", "feature");
    await r.commit("change", { "src/route.js": after, "src/host.js": hostOf });
    diffFile = join(elsewhere, "change.diff");
    await writeFile(diffFile, await r.git("diff", "main...feature"));
  });

  it("reads the head files from git objects: the same findings from the repository and from elsewhere, whatever the working tree holds", async () => {
    const inside = await runCli(["review", "--base", "main", "--format", "json"], { cwd: repo });
    const outside = await runCli(["review", "--repo", repo, "--base", "main", "--format", "json"], {
      cwd: elsewhere,
    });
    // Uncommitted edits and a deleted file are not what is reviewed: HEAD is.
    await writeFile(join(repo, "src/route.js"), "garbage(\n");
    await rm(join(repo, "src/host.js"));
    const dirty = await runCli(["review", "--base", "main", "--format", "json"], { cwd: repo });
    await writeFile(join(repo, "src/route.js"), after);
    await writeFile(join(repo, "src/host.js"), hostOf);

    expect(inside.code).toBe(0);
    const json = JSON.parse(inside.out) as Json;
    // Only the whole file shows the function's complexity (see the hunks-only review below).
    expect(json.inline.map((f) => [f.path, f.source])).toContainEqual([
      "src/route.js",
      "complexity",
    ]);
    expect([...json.inline, ...json.summaryOnly].filter((f) => f.severity === "critical")).toEqual(
      [],
    );
    expect(outside.out).toBe(inside.out);
    expect(dirty.out).toBe(inside.out);
  });

  it("reviews a diff file from its hunks, says so, and gives the same result from any directory", async () => {
    const fromRepo = await runCli(["review", "--diff", diffFile, "--format", "json"], {
      cwd: repo,
    });
    const fromElsewhere = await runCli(["review", "--diff", "change.diff", "--format", "json"], {
      cwd: elsewhere,
    });

    expect(fromRepo.code).toBe(0);
    expect(fromElsewhere.out).toBe(fromRepo.out);
    const json = JSON.parse(fromRepo.out) as Json;
    expect(json.notes).toContainEqual(
      expect.stringContaining("the static rules read its hunks only"),
    );
    expect(json.inline.filter((f) => f.basis === "file" || f.source === "complexity")).toEqual([]);
    expect([...json.inline, ...json.summaryOnly].filter((f) => f.severity === "critical")).toEqual(
      [],
    );
    const markdown = await runCli(["review", "--diff", diffFile], { cwd: elsewhere });
    expect(markdown.out).toContain("> ⚠️ Reviewed from the diff alone");
  });

  it("reads a diff file's head files from --repo when named", async () => {
    const { code, out } = await runCli(
      ["review", "--diff", diffFile, "--repo", repo, "--format", "json"],
      { cwd: elsewhere },
    );
    const fromGit = await runCli(["review", "--base", "main", "--format", "json"], { cwd: repo });

    expect(code).toBe(0);
    const json = JSON.parse(out) as Json;
    expect(json.notes.join(" ")).not.toContain("hunks only");
    expect(json.inline).toEqual((JSON.parse(fromGit.out) as Json).inline);
  });

  it("says a local binary file has no text diff, never that GitHub sent none", async () => {
    const r = await createRepo();
    await r.commit("base", { "README.md": "# r\n" });
    await r.git("checkout", "-qb", "feature");
    await r.commit("blob", { "data/blob.dat": Buffer.from([0, 1, 2, 255, 0, 7]) });

    const { code, out } = await runCli(["review", "--base", "main"], { cwd: r.dir });

    expect(code).toBe(0);
    expect(out).toContain(
      "| `data/blob.dat` | added | +0/−0 | skipped: no text diff (a binary file",
    );
    expect(out).not.toContain("GitHub");
  });

  it("reviews files whose names git C-quotes from their whole text, under their real names", async () => {
    const r = await createRepo();
    const names = ['we"ird.js', "new\nline.js", "tab\there.js", "back\\slash.js", "café.js"];
    await r.commit("base", Object.fromEntries(names.map((n) => [n, before])));
    await r.git("checkout", "-qb", "feature");
    await r.commit("change", Object.fromEntries(names.map((n) => [n, after])));
    // With git's default core.quotePath, `café.js` is quoted too, as octal bytes.
    const diffFile = join(await tempDir("critic-cli-quoted-"), "change.diff");
    await writeFile(diffFile, await r.git("diff", "main...feature"));

    const fromGit = await runCli(["review", "--base", "main", "--format", "json"], { cwd: r.dir });
    const fromFile = await runCli(
      ["review", "--diff", diffFile, "--repo", r.dir, "--format", "json"],
      { cwd: elsewhere },
    );
    const markdown = await runCli(["review", "--base", "main"], { cwd: r.dir });

    expect(fromGit.code).toBe(0);
    const json = JSON.parse(fromGit.out) as Json;
    expect(json.files.map((f) => [f.path, f.reviewed]).sort()).toEqual(
      names.map((n) => [n, true]).sort(),
    );
    // Complexity shows from the whole file only: each was read from git under its real name.
    expect(
      json.inline
        .filter((f) => f.source === "complexity")
        .map((f) => f.path)
        .sort(),
    ).toEqual([...names].sort());
    expect(fromFile.out).toBe(fromGit.out);
    expect(markdown.out).toContain('| `we"ird.js` | modified | +1/−0 | reviewed |');
    expect(markdown.out).not.toContain('we\\"ird');
  });

  it("reads no other file's blob for a path that is not in HEAD (`x blob 50 copy.js` is no size)", async () => {
    const r = await createRepo();
    // A committed `x` longer than 50 bytes: read as a 50-byte blob for `x blob 50 copy.js`, it
    // would be cut short and the rest of it handed to the next file asked for.
    await r.commit("base", { x: "0123456789abcdefghi\n".repeat(10), "src/route.js": before });
    await r.git("checkout", "-qb", "feature");
    await r.commit("change", { "src/route.js": after });
    // Not in HEAD, and first: git answers "<commit>:x blob 50 copy.js missing" for it.
    const notInHead =
      "diff --git a/x blob 50 copy.js b/x blob 50 copy.js\nnew file mode 100644\n--- /dev/null\n+++ b/x blob 50 copy.js\t\n@@ -0,0 +1 @@\n+export const copy = 1;\n";
    const diffFile = join(await tempDir("critic-cli-blob-"), "change.diff");
    await writeFile(diffFile, notInHead + (await r.git("diff", "main...feature")));

    const { code, out } = await runCli(
      ["review", "--diff", diffFile, "--repo", r.dir, "--format", "json"],
      { cwd: elsewhere },
    );

    expect(code).toBe(0);
    const json = JSON.parse(out) as Json;
    expect(json.files.map((f) => [f.path, f.reviewed])).toEqual([
      ["x blob 50 copy.js", true],
      ["src/route.js", true],
    ]);
    // Only the whole file shows the function's complexity: route.js got its own blob.
    expect(json.inline.filter((f) => f.source === "complexity").map((f) => f.path)).toEqual([
      "src/route.js",
    ]);
  });
});

describe("critic exit codes a CI job can rely on", () => {
  it("answers 0 and 'nothing to review' for an empty diff", async () => {
    const empty = await runCli(["review", "--diff", "-"], { stdin: "" });
    const blank = await runCli(["review", "--diff", "-", "--format", "json"], { stdin: "\n  \n" });
    const r = await createRepo();
    await r.commit("base", { "a.js": "export const a = 1;\n" });
    const noChanges = await runCli(["review", "--base", "main"], { cwd: r.dir });

    expect(empty).toMatchObject({
      code: 0,
      out: "Nothing to review: standard input is empty (no changes).\n",
    });
    expect(blank.code).toBe(0);
    expect(JSON.parse(blank.out)).toMatchObject({ files: [], inline: [], summaryOnly: [] });
    expect(noChanges.code).toBe(0);
    expect(noChanges.out).toContain("Nothing to review");
  });

  it.each([
    ["plain text", "This is a note, not a patch.\n--- \nthe end\n"],
    ["binary bytes", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x1a, 0x0a, 0x00])],
  ])("answers 2 for %s", async (_label, stdin) => {
    const { code, out, err } = await runCli(["review", "--diff", "-"], { stdin });

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("critic: standard input is not a unified diff");
  });

  it("answers 1 when a finding meets --fail-on, and 0 when none does", async () => {
    const warningOnly =
      "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n x = 1\n+breakpoint()\n";

    const critical = await runCli([
      "review",
      "--diff",
      "examples/sample.diff",
      "--fail-on",
      "critical",
    ]);
    const belowThreshold = await runCli(["review", "--diff", "-", "--fail-on", "critical"], {
      stdin: warningOnly,
    });
    const atThreshold = await runCli(["review", "--diff", "-", "--fail-on", "warning"], {
      stdin: warningOnly,
    });

    expect(critical.code).toBe(1);
    expect(critical.out).toContain("### Rating");
    expect(critical.err).toContain("critic: 4 findings are critical (--fail-on critical).");
    expect(belowThreshold.code).toBe(0);
    expect(atThreshold.code).toBe(1);
    expect(atThreshold.err).toContain("1 finding is warning or worse (--fail-on warning)");
  });

  it("hands the exit code to the shell from the installed command's entry point", () => {
    expect(spawnCli(["--version"])).toMatchObject({ status: 0, stdout: `${VERSION}\n` });
    expect(spawnCli(["review", "--diff", "-"], "not a diff\n").status).toBe(2);
  });

  it("answers 2, naming the file, for a --dotenv file that cannot be read, Node.js reading none", () => {
    const missing = spawnCli(["review", "--diff", "-", "--dotenv", "/nonexistent"], "x\n");

    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("critic: cannot read --dotenv /nonexistent: no such file\n");
  });

  it("prints the version and the help with 0", async () => {
    for (const flag of ["--version", "-v"]) {
      const { code, out } = await runCli([flag]);
      expect(code).toBe(0);
      expect(out).toBe(`${VERSION}\n`);
    }
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--fail-on <severity>");
    expect(help.out).toContain("Exit codes:");
  });

  it.each([
    [["review", "--ref", "v1"], "--ref applies to `critic assess` only"],
    [["review", "--level", "junior"], "--level applies to `critic assess` only"],
    [["review", "--base", "main", "--diff", "x.diff"], "--base and --diff cannot be combined"],
    [["review", "change.diff"], 'review takes no arguments (got "change.diff")'],
    [["review", "--fail-on", "blocker"], "--fail-on must be critical, warning, suggestion"],
    [["assess", ".", "--base", "main"], "--base applies to `critic review` only"],
    [["assess", ".", "--fail-on", "critical"], "--fail-on applies to `critic review` only"],
    [
      ["assess", ".", "--ref", "v1", "--assignment", "t.md", "--level", "junior"],
      "--ref applies to a repository URL",
    ],
    [["reveiw"], 'unknown command "reveiw"'],
    [["review", "--frobnicate"], "Unknown option '--frobnicate'"],
  ])("refuses %j with 2", async (args, message) => {
    const { code, err } = await runCli(args);

    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("refuses a folder that is not a git repository with 2, naming what to do instead", async () => {
    const plain = await tempDir("critic-cli-plain-");

    const base = await runCli(["review"], { cwd: plain });
    const repo = await runCli(["review", "--diff", "-", "--repo", plain], { stdin: "x" });

    expect(base.code).toBe(2);
    expect(base.err).toContain(
      `${plain} is not in a git repository: review a diff file with --diff`,
    );
    expect(repo.code).toBe(2);
  });

  it("reads variables from --dotenv, those already set winning, and none from the current directory", async () => {
    const dir = await tempDir("critic-cli-env-");
    await writeFile(join(dir, ".env"), "CRITIC_MAX_PATCH_BYTES=1000\n");
    await writeFile(join(dir, "limits.env"), "CRITIC_MAX_PATCH_BYTES=1000\n");
    const padding = Array.from({ length: 100 }, (_, i) => `+const pad${i} = ${i};`).join("\n");
    const diff = `diff --git a/p.js b/p.js\nnew file mode 100644\n--- /dev/null\n+++ b/p.js\n@@ -0,0 +1,100 @@\n${padding}\n`;
    const args = ["review", "--diff", "-", "--dotenv", "limits.env"];

    const plain = await runCli(["review", "--diff", "-"], { cwd: dir, stdin: diff });
    const withFile = await runCli(args, { cwd: dir, stdin: diff });
    const alreadySet = await runCli(args, {
      cwd: dir,
      stdin: diff,
      env: { CRITIC_MAX_PATCH_BYTES: "100000" },
    });

    expect(plain.out).toContain("| `p.js` | added | +100/−0 | reviewed |");
    expect(withFile.out).toMatch(/\| `p\.js` \| added \| \+100\/−0 \| skipped: diff too large/);
    expect(alreadySet.out).toContain("| `p.js` | added | +100/−0 | reviewed |");
    expect(await readFile(join(dir, ".env"), "utf8")).toContain("1000");
  });

  it.each([
    ["a missing file", "absent.env", "no such file"],
    ["a folder", "folder", "it is a folder"],
  ])("refuses --dotenv naming %s with 2", async (_label, name, why) => {
    const dir = await tempDir("critic-cli-dotenv-");
    await mkdir(join(dir, "folder"));

    const { code, out, err } = await runCli(["review", "--diff", "-", "--dotenv", name], {
      cwd: dir,
      stdin: "x\n",
    });

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`critic: cannot read --dotenv ${name}: ${why}\n`);
  });

  it("points --env-file, which Node.js takes for itself, to --dotenv", async () => {
    const { code, err } = await runCli(["review", "--env-file", ".env"]);

    expect(code).toBe(2);
    expect(err).toContain("use --dotenv <file>");
  });

  it("refuses a diff over 64 MB from standard input, a file or git with 2, naming the limit", async () => {
    const dir = await tempDir("critic-cli-huge-");
    const over = 64 * 1024 * 1024 + 1;
    await writeFile(join(dir, "huge.diff"), "");
    await truncate(join(dir, "huge.diff"), over);
    const r = await createRepo();
    await r.commit("base", { "a.txt": "a\n" });
    await r.git("checkout", "-qb", "feature");
    await r.commit("huge", { "big.txt": "0123456789abcdef\n".repeat(Math.ceil(over / 17)) });

    const stdin = await runCli(["review", "--diff", "-"], { stdin: Buffer.alloc(over, "+") });
    const file = await runCli(["review", "--diff", "huge.diff"], { cwd: dir });
    const git = await runCli(["review", "--base", "main"], { cwd: r.dir });

    for (const result of [stdin, file, git]) {
      expect(result.code).toBe(2);
      expect(result.out).toBe("");
    }
    const limit = "larger than 64 MB, the most the CLI reads: review a smaller change";
    expect(stdin.err).toBe(`critic: standard input is ${limit}\n`);
    expect(file.err).toBe(`critic: the diff huge.diff is ${limit}\n`);
    expect(git.err).toBe(
      "critic: git diff printed more than 64 MB, the most the CLI reads: review a smaller change\n",
    );
  });
});
