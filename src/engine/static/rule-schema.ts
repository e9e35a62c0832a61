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

/**
 * Within-function value tracking for a call the rule matched: the rule fires only when this
 * argument, after following local assignments back within the same function (concatenation,
 * `%`, `.format`, f-strings, template literals, `fmt.Sprintf`, `String.format`, `join`,
 * StringBuilder appends), is built from something that is not a literal.
 */
/** A regular expression written as in ast-grep's rules, where a leading `(?i)` ignores case. */
export function ruleRegExp(source: string): RegExp {
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

const RegExpSource = z.string().refine((source) => {
  try {
    ruleRegExp(source);
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

const Sink = z
  .object({
    /**
     * Which argument: its position among the call's positional arguments (0 is the first, -1 the
     * last), or a metavariable of the rule (`$QUERY`).
     */
    argument: z.union([
      z.number().int(),
      z.string().regex(/^\$[A-Z_][A-Z0-9_]*$/, "use a metavariable such as $QUERY"),
    ]),
    /** Must be `true`: the argument is built from a non-literal. */
    built_from_non_literal: z.literal(true),
    /** A regular expression one of the string literals it was built from must match (say, SQL's first keyword); a leading `(?i)` ignores case. */
    literal_matches: RegExpSource.optional(),
    /**
     * A regular expression the text of one of the non-literal parts it was built from must match:
     * where following it stopped (a parameter, a call, a dictionary such as `{"Loader":
     * yaml.Loader}` behind `**kwargs`).
     */
    non_literal_matches: RegExpSource.optional(),
  })
  .strict();

const TestCase = z.union([z.string(), z.object({ path: z.string(), code: z.string() })]);

/**
 * One static rule in ast-grep's rule format (https://ast-grep.github.io/reference/yaml.html):
 * `rule`, `constraints`, `utils` and `fix` are ast-grep's; `severity` uses its names (error,
 * warning, info, hint); `metadata.category` is Critic's category. `files`/`ignores` are globs.
 * `sink` (Critic's own) keeps only matches whose argument is built from a non-literal.
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
  sink: Sink.optional(),
  files: z.array(z.string()).optional(),
  ignores: z.array(z.string()).optional(),
  tests: z
    .object({ valid: z.array(TestCase).default([]), invalid: z.array(TestCase).default([]) })
    .optional(),
});
export type StaticRuleConfig = z.infer<typeof StaticRuleConfig>;
