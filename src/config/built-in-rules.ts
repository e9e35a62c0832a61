import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type CompiledRule, compileRules } from "../engine/static/compile-rules.js";

// rules/ sits beside src/ and dist/, one level above this file's folder in both; the Action's
// bundle (dist-action/index.js) is one level below the repository root, so rules/ is beside it.
const RULES_DIR =
  [new URL("../../rules/", import.meta.url), new URL("../rules/", import.meta.url)].find((dir) =>
    existsSync(new URL("no-eval.yml", dir)),
  ) ?? new URL("../../rules/", import.meta.url);

let cached: CompiledRule[] | undefined;

/**
 * Critic's built-in rules, one YAML file each in `rules/`. Compiled once; a built-in rule that does
 * not compile is a bug in Critic, so it stops start-up with the rule named.
 */
export function builtInRules(): CompiledRule[] {
  if (cached) return cached;
  const sources = readdirSync(RULES_DIR)
    .filter((name) => name.endsWith(".yml"))
    .sort()
    .map((name) => ({
      label: `rules/${name}`,
      text: readFileSync(new URL(name, RULES_DIR), "utf8"),
    }));
  const { rules, errors } = compileRules(sources);
  if (errors.length > 0)
    throw new Error(`[critic] built-in rules do not compile:\n${errors.join("\n")}`);
  cached = rules;
  return rules;
}
