import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo, runCli, tempDir } from "../helpers/run-cli.js";

const cli = (args: string[], cwd = process.cwd(), stdin = "", env: Record<string, string> = {}) =>
  runCli(args, { cwd, stdin, env });

describe("critic review (CLI)", () => {
  it("reviews a diff file with static checks when no key is set, and says so", async () => {
    const { code, out, err } = await cli(["review", "--diff", "examples/sample.diff"]);

    expect(code).toBe(0);
    expect(err).toContain("running static checks only");
    expect(out).toContain(
      "AI review unavailable (no AI provider is configured) — static checks only.",
    );
    expect(out).toContain("| `src/payments.js` | modified | +8/−1 | reviewed |");
    expect(out).toContain("Possible secret committed (StripeSecretKey): `sk_live_********`");
    expect(out).toContain("### Rating\n\n**1/10**");
    expect(out).not.toContain("4eC39HqLyjWDarjtT1zdp7dc");
    expect(out).not.toContain("<!--");
  });

  it("prints JSON with --format json and reads the diff from standard input", async () => {
    const diff =
      "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n x = 1\n+breakpoint()\n";
    const { code, out } = await cli(
      ["review", "--diff", "-", "--format", "json"],
      process.cwd(),
      diff,
    );

    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.files).toEqual([
      { path: "a.py", status: "modified", additions: 1, deletions: 0, reviewed: true },
    ]);
    expect(json.inline).toMatchObject([
      { path: "a.py", line: 2, severity: "warning", source: "python-debugger", basis: "hunks" },
    ]);
    expect(json.rating).toMatchObject({ score: 9, computed: true });
  });

  it("reviews git diff <base>...HEAD in a repository and honours its .github/critic.yml", async () => {
    const { dir: repo, git, commit } = await createRepo();
    await commit("base", { "a.js": "export const a = 1;\n" });
    await git("checkout", "-qb", "feature");
    await commit("change", {
      ".github/critic.yml": "min_severity: warning\n",
      "a.js": "export const a = 1;\nconsole.log(a);\ndebugger;\n",
    });

    const { code, out } = await cli(["review", "--base", "main", "--format", "json"], repo);

    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.inline.map((f: { line: number }) => f.line)).toEqual([3]);
  });

  it("writes a static-only summary from the findings of every request, not of one", async () => {
    // Several requests (a small request budget); the findings sit in the last files.
    const files = Array.from({ length: 12 }, (_, i) => {
      const body =
        i === 11
          ? '+const key = "AKIAZ7XQ4M2N8P5R3T6V";\n+debugger;'
          : `+export const v${i} = ${i};\n+export const w${i} = ${i};`;
      return `diff --git a/m${i}.js b/m${i}.js\nnew file mode 100644\n--- /dev/null\n+++ b/m${i}.js\n@@ -0,0 +1,2 @@\n${body}\n`;
    });
    const { code, out } = await cli(["review", "--diff", "-"], process.cwd(), files.join(""), {
      CRITIC_MAX_REQUEST_TOKENS: "500",
    });

    expect(code).toBe(0);
    expect(out).toContain(
      "Static checks only: 1 critical finding, 1 warning, 0 suggestions from Critic's built-in checks (secret scan, conflict markers, TODOs without a link, ",
    );
    expect(out).toContain("Fix the critical findings and warnings listed above before merging.");
    expect(out).not.toContain("found nothing to fix");
  });

  it("flags a key in a file padded past the size limit, whose review is skipped", async () => {
    const padding = Array.from({ length: 200 }, (_, i) => `+const pad${i} = ${i};`).join("\n");
    const diff = `diff --git a/padded.js b/padded.js\nnew file mode 100644\n--- /dev/null\n+++ b/padded.js\n@@ -0,0 +1,201 @@\n${padding}\n+const key = "AKIAZ7XQ4M2N8P5R3T6V";\n`;

    const { code, out } = await cli(["review", "--diff", "-"], process.cwd(), diff, {
      CRITIC_MAX_PATCH_BYTES: "1000",
    });

    expect(code).toBe(0);
    expect(out).toMatch(/\| `padded\.js` \| added \| \+201\/−0 \| skipped: diff too large/);
    expect(out).toContain("`padded.js:201` (security) Possible secret committed (AWSAccessKeyID)");
  });

  it("keeps every section of the summary for a diff of 1,000 files", async () => {
    const diff = Array.from(
      { length: 1000 },
      (_, i) =>
        `diff --git a/dir${i % 30}/file-${i}-${"long".repeat(10)}.txt b/dir${i % 30}/file-${i}-${"long".repeat(10)}.txt\nnew file mode 100644\n--- /dev/null\n+++ b/dir${i % 30}/file-${i}-${"long".repeat(10)}.txt\n@@ -0,0 +1 @@\n+line ${i}\n`,
    ).join("");
    const { code, out } = await cli(["review", "--diff", "-"], process.cwd(), diff);

    expect(code).toBe(0);
    expect(out).toContain("1000 files (1000 reviewed), counted by directory and status");
    for (const heading of ["### Found files", "### Downsides and comments", "### Conclusion"])
      expect(out).toContain(heading);
    expect(out).toMatch(/### Rating\n\n\*\*10\/10\*\*/);
  });

  it("explains bad usage and unreadable input with exit code 2", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(["review", "--format", "xml"])).err).toContain(
      "--format must be markdown or json",
    );
    const missing = await cli(["review", "--diff", "does-not-exist.diff"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("does-not-exist.diff");
    expect((await cli(["--help"])).code).toBe(0);
  });
});

describe("critic assess (CLI)", () => {
  it("reviews a local folder against the assignment and the level, with no GitHub access", async () => {
    const dir = await tempDir("critic-assess-");
    await mkdir(join(dir, "src"));
    await mkdir(join(dir, "node_modules", "dep"), { recursive: true });
    await writeFile(join(dir, "src", "calc.py"), "def main():\n    print(eval(input()))\n");
    await writeFile(join(dir, "node_modules", "dep", "index.js"), "eval(x)\n");
    await writeFile(join(dir, "README.md"), "# Calc\n");
    await writeFile(join(dir, "task.md"), "Write a Python calculator.\n");

    const { code, out, err } = await cli(
      ["assess", ".", "--assignment", "task.md", "--level", "Senior"],
      dir,
    );

    expect(code).toBe(0);
    expect(err).toContain("static checks only");
    expect(out).toContain("(Senior level)");
    expect(out).toContain("| `src/calc.py` | python | 2 | yes |");
    expect(out).toMatch(/`src\/calc\.py:2` \(security\)/);
    expect(out).toMatch(/## Rating: \d+\/10/);
    expect(out).toContain("by Critic's rubric, not judged by a model");
    expect(out).toContain("No model judged this solution against the assignment");
    expect(out).not.toContain("node_modules");

    const json = await cli([
      "assess",
      dir,
      "--assignment",
      join(dir, "task.md"),
      "--level",
      "junior",
      "--format",
      "json",
    ]);
    expect(JSON.parse(json.out)).toMatchObject({ level: "junior", rated_by: "rubric" });
  });

  it("explains what is missing on bad usage", async () => {
    const noLevel = await cli(["assess", ".", "--assignment", "x.md"]);
    expect(noLevel.code).toBe(2);
    expect(noLevel.err).toContain("--level must be junior, middle or senior");
    const otherHost = await cli([
      "assess",
      "https://example.com/o/r",
      "--assignment",
      "README.md",
      "--level",
      "junior",
    ]);
    expect(otherHost.code).toBe(2);
    expect(otherHost.err).toContain("must be a repository on github.com");
  });
});
