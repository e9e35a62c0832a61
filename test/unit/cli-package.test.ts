import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), "utf8");

describe("package.json (installing the CLI)", () => {
  it("installs a command named critic from a package name of its own", async () => {
    const pkg = JSON.parse(await read("package.json")) as {
      name: string;
      bin: Record<string, string>;
      files: string[];
      scripts: Record<string, string>;
    };

    // `critic` alone is unclaimed on the registry: `npx critic` outside this checkout would
    // fetch whatever a stranger publishes under it.
    expect(pkg.name).toBe("critic-review");
    expect(pkg.bin).toEqual({ critic: "bin/critic.js" });
    expect(await read("bin/critic.js")).toMatch(/^#!\/usr\/bin\/env node\n/);
    // A tarball carries the compiled CLI and the built-in rules; a git install builds them.
    expect(pkg.files).toEqual(expect.arrayContaining(["bin", "dist", "rules"]));
    expect(pkg.scripts.prepare).toBe("npm run build");
  });

  it("keeps package-lock.json's root name in step", async () => {
    const lock = JSON.parse(await read("package-lock.json")) as {
      name: string;
      packages: Record<string, { name?: string }>;
    };

    expect(lock.name).toBe("critic-review");
    expect(lock.packages[""]?.name).toBe("critic-review");
  });
});
