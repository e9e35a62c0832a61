import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parseUnifiedDiff } from "../../src/review/diff/parse-unified-diff.js";

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

  it("returns nothing for an empty diff", () => {
    expect(parseUnifiedDiff("")).toEqual([]);
  });
});
