import { describe, expect, it } from "vitest";
import { filterFiles } from "../../src/engine/select/filter-files.js";
import type { ChangedFile } from "../../src/model/types.js";

const f = (path: string, over: Partial<ChangedFile> = {}): ChangedFile => ({
  path,
  status: "modified",
  additions: 1,
  deletions: 0,
  patch: "@@ -1 +1 @@\n+x",
  ...over,
});

const decide = (
  files: ChangedFile[],
  include: string[] = [],
  exclude: string[] = [],
  maxPatchBytes = 1000,
) =>
  filterFiles(files, { include, exclude, maxPatchBytes }).map((d) => [
    d.file.path,
    d.reviewed ? "reviewed" : d.reason,
  ]);

describe("review/stages/filter-files", () => {
  it("skips lockfiles, minified, generated, vendored, snapshots and images by default", () => {
    const paths = [
      "package-lock.json",
      "web/yarn.lock",
      "dist/app.min.js",
      "api/user.pb.go",
      "vendor/lib/x.go",
      "src/__snapshots__/a.snap",
      "docs/logo.PNG",
      ".yarn/cache/x.zip",
      "src/app.ts",
      ".github/workflows/ci.yml",
    ];

    expect(decide(paths.map((p) => f(p)))).toEqual([
      ["package-lock.json", "excluded by default (lockfile)"],
      ["web/yarn.lock", "excluded by default (lockfile)"],
      ["dist/app.min.js", "excluded by default (minified)"],
      ["api/user.pb.go", "excluded by default (generated)"],
      ["vendor/lib/x.go", "excluded by default (vendored)"],
      ["src/__snapshots__/a.snap", "excluded by default (snapshot)"],
      ["docs/logo.PNG", "excluded by default (image or binary asset)"],
      [".yarn/cache/x.zip", "excluded by default (image or binary asset)"],
      ["src/app.ts", "reviewed"],
      [".github/workflows/ci.yml", "reviewed"],
    ]);
  });

  it("applies include and exclude globs, and an include wins over the built-in excludes", () => {
    const files = [f("src/a.ts"), f("src/a.test.ts"), f("docs/x.md"), f("src/vendor/keep.ts")];

    expect(decide(files, ["src/**"], ["**/*.test.ts"])).toEqual([
      ["src/a.ts", "reviewed"],
      ["src/a.test.ts", "excluded by `exclude`"],
      ["docs/x.md", "not in `include`"],
      ["src/vendor/keep.ts", "reviewed"],
    ]);
  });

  it("says why files without a usable patch are skipped", () => {
    const files = [
      f("gone.ts", { status: "removed" }),
      f("moved.ts", { status: "renamed", patch: undefined, additions: 0, deletions: 0 }),
      f("blob.dat", { patch: undefined }),
      f("huge.ts", { patch: `@@ -1 +1 @@\n+${"x".repeat(5000)}` }),
    ];

    expect(decide(files)).toEqual([
      ["gone.ts", "deleted"],
      ["moved.ts", "renamed without changes"],
      ["blob.dat", "no diff from GitHub (binary or too large)"],
      ["huge.ts", "diff too large (5 KB)"],
    ]);
  });
});
