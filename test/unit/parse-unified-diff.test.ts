import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseUnifiedDiff } from "../../src/diff/parse-unified-diff.js";

describe("review/diff/parse-unified-diff", () => {
  it("splits git's output into files shaped like GitHub's file list", async () => {
    const diff = await readFile(new URL("../fixtures/diffs/mixed.diff", import.meta.url), "utf8");
    const files = parseUnifiedDiff(diff);

    expect(files.map(({ patch, ...f }) => ({ ...f, hasPatch: patch !== undefined }))).toEqual([
      { path: "src/app.ts", status: "modified", additions: 2, deletions: 1, hasPatch: true },
      { path: "src/new.ts", status: "added", additions: 2, deletions: 0, hasPatch: true },
      { path: "src/gone.ts", status: "removed", additions: 0, deletions: 1, hasPatch: true },
      {
        path: "lib/after.ts",
        previousPath: "lib/before.ts",
        status: "renamed",
        additions: 0,
        deletions: 0,
        hasPatch: false,
      },
      {
        path: "lib/moved.ts",
        previousPath: "lib/old-name.ts",
        status: "renamed",
        additions: 1,
        deletions: 1,
        hasPatch: true,
      },
      { path: "img/logo.png", status: "added", additions: 0, deletions: 0, hasPatch: false },
      { path: "docs/windows.txt", status: "modified", additions: 1, deletions: 1, hasPatch: true },
    ]);
    expect(files[0]?.patch).toBe(
      "@@ -1,3 +1,4 @@ export function run() {\n const a = 1;\n-const b = 2;\n+const b = 3;\n+const c = 4;\n return a;",
    );
  });

  it("reads git's output with diff.noprefix", () => {
    const diff =
      "diff --git x.txt x.txt\nindex 1..2 100644\n--- x.txt\n+++ x.txt\n@@ -1 +1 @@\n-a\n+b\ndiff --git y.txt y.txt\n--- y.txt\n+++ y.txt\n@@ -1 +1,2 @@\n c\n+d\n";

    expect(parseUnifiedDiff(diff).map((f) => [f.path, f.additions, f.deletions])).toEqual([
      ["x.txt", 1, 1],
      ["y.txt", 1, 0],
    ]);
  });

  it("reads plain `diff -ru` and concatenated `diff -u` output", () => {
    const ru =
      "diff -ru old/a.c new/a.c\n--- old/a.c\t2026-01-01\n+++ new/a.c\t2026-01-02\n@@ -1 +1 @@\n-x\n+y\ndiff -ru old/b.c new/b.c\n--- old/b.c\n+++ new/b.c\n@@ -1 +1 @@\n-p\n+q\n";
    const u =
      "--- a/one.txt\n+++ b/one.txt\n@@ -1,2 +1,2 @@\n same\n-old\n+new\n--- a/two.txt\n+++ b/two.txt\n@@ -0,0 +1 @@\n+added\n";

    expect(parseUnifiedDiff(ru).map((f) => f.path)).toEqual(["new/a.c", "new/b.c"]);
    expect(parseUnifiedDiff(u).map((f) => [f.path, f.patch])).toEqual([
      ["one.txt", "@@ -1,2 +1,2 @@\n same\n-old\n+new"],
      ["two.txt", "@@ -0,0 +1 @@\n+added"],
    ]);
  });

  it("keeps a deleted line that looks like a file header inside a hunk", () => {
    const diff =
      "diff --git a/q.sql b/q.sql\n--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1 @@\n--- a SQL comment\n-select 1;\n+select 2;\n";
    const [file] = parseUnifiedDiff(diff);

    expect(file?.deletions).toBe(2);
    expect(file?.patch).toContain("--- a SQL comment");
  });

  it("returns nothing for an empty diff", () => {
    expect(parseUnifiedDiff("")).toEqual([]);
  });
});
