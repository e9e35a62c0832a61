import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RuleSource } from "../engine/static/compile-rules.js";
import { RULES_DIR } from "../github/fetch-sources.js";

/**
 * The CLI's view of the head: files from the working tree, and `.github/critic/rules/*.yml` from
 * it. A working-tree file that disagrees with the diff is ignored later by the engine, which then
 * parses the hunks.
 */
export async function loadLocalSources(
  cwd: string,
  paths: readonly string[],
): Promise<{ headTexts: Map<string, string>; ruleSources: RuleSource[] }> {
  const headTexts = new Map<string, string>();
  await Promise.all(
    paths.map(async (path) => {
      const text = await readFile(join(cwd, path), "utf8").catch(() => undefined);
      if (text !== undefined && text.length <= 1_000_000) headTexts.set(path, text);
    }),
  );
  const names = await readdir(join(cwd, RULES_DIR)).catch(() => [] as string[]);
  const ruleSources = await Promise.all(
    names
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
      .map(async (n) => ({
        label: `${RULES_DIR}/${n}`,
        text: await readFile(join(cwd, RULES_DIR, n), "utf8"),
      })),
  );
  return { headTexts, ruleSources };
}
