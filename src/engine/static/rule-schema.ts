import { z } from "zod";
import { CATEGORIES } from "../../model/types.js";
import { LANGUAGE_IDS } from "./languages.js";

const Language = z.string().transform((v, ctx) => {
  const id = v.toLowerCase();
  const alias: Record<string, string> = {
    js: "javascript",
    ts: "typescript",
    py: "python",
    rb: "ruby",
    golang: "go",
    sh: "bash",
  };
  const language = alias[id] ?? id;
  if (!LANGUAGE_IDS.includes(language)) {
    ctx.addIssue({
      code: "custom",
      message: `unknown language "${v}"; use one of ${LANGUAGE_IDS.join(", ")}`,
    });
    return z.NEVER;
  }
  return language;
});

const TestCase = z.union([z.string(), z.object({ path: z.string(), code: z.string() })]);

/**
 * One static rule in ast-grep's rule format (https://ast-grep.github.io/reference/yaml.html):
 * `rule`, `constraints`, `utils` and `fix` are ast-grep's; `severity` uses its names (error,
 * warning, info, hint); `metadata.category` is Critic's category. `files`/`ignores` are globs.
 * `tests` holds examples that must (invalid) and must not (valid) be flagged.
 */
export const StaticRuleConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lower-case letters, digits and dashes"),
  language: z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(Language).min(1)),
  severity: z.enum(["error", "warning", "info", "hint"]),
  message: z.string().min(1),
  note: z.string().min(1),
  metadata: z.object({ category: z.enum(CATEGORIES) }),
  rule: z.record(z.string(), z.unknown()),
  constraints: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  utils: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  fix: z.string().optional(),
  files: z.array(z.string()).optional(),
  ignores: z.array(z.string()).optional(),
  tests: z
    .object({ valid: z.array(TestCase).default([]), invalid: z.array(TestCase).default([]) })
    .optional(),
});
export type StaticRuleConfig = z.infer<typeof StaticRuleConfig>;
