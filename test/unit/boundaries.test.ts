import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Lints a throwaway module at `path` (inside src/) and returns Biome's error messages. */
async function lintProbe(path: string, source: string): Promise<string[]> {
  const file = path.replace(/\.ts$/, `-probe-${process.pid}.ts`);
  await writeFile(file, source);
  try {
    await run("npx", ["biome", "lint", file]);
    return [];
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`;
    return [...output.matchAll(/^ {2}× (.+)$/gm)].map((m) => m[1] ?? "");
  } finally {
    await rm(file, { force: true });
  }
}

describe("boundaries (npm run lint)", () => {
  it.each([
    [
      "src/engine/x.ts",
      'import type { GitHub } from "../github/octokit.js";\nexport type X = GitHub;\n',
    ],
    ["src/render/x.ts", 'import { Redis } from "ioredis";\nexport const x = Redis;\n'],
    [
      "src/prompt/x.ts",
      'import { createProviders } from "../providers/registry.js";\nexport const x = createProviders;\n',
    ],
    [
      "src/engine/sanitize/x.ts",
      'import { readFile } from "node:fs/promises";\nexport const x = readFile;\n',
    ],
  ])("refuses an I/O import in the pure core (%s)", async (path, source) => {
    expect(await lintProbe(path, source)).toContainEqual(
      expect.stringContaining("The pure core (engine, diff, prompt, render, model, security)"),
    );
  });

  it("lets only the sanitize stage mark text as sanitized", async () => {
    const mark = (from: string) =>
      `import { markSanitized } from "${from}";\nexport const x = markSanitized("text");\n`;

    expect(
      await lintProbe("src/commands/x.ts", mark("../engine/sanitize/sanitized.js")),
    ).toContainEqual(expect.stringContaining("Only the sanitize stage marks text as sanitized"));
    expect(await lintProbe("src/engine/x.ts", mark("./sanitize/sanitized.js"))).toContainEqual(
      expect.stringContaining("Only the sanitize stage marks text as sanitized"),
    );
    expect(await lintProbe("src/engine/sanitize/x.ts", mark("./sanitized.js"))).toEqual([]);
  });
});
