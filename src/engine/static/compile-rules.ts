import { parse as parseAst } from "@ast-grep/napi";
import picomatch from "picomatch";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Category, Severity } from "../../model/types.js";
import { astGrepLanguage, ensureLanguages } from "./languages.js";
import { ruleRegExp, StaticRuleConfig } from "./rule-schema.js";

/** A rule ready to run: its ast-grep matcher, what to say, and where it applies. */
export type CompiledRule = {
  id: string;
  languages: string[];
  severity: Severity;
  category: Category;
  message: string;
  note: string;
  matcher: {
    rule: Record<string, unknown>;
    constraints?: Record<string, unknown>;
    utils?: Record<string, unknown>;
  };
  fix?: string | undefined;
  /** Keep a match only when this argument is built from a non-literal (the rule's `sink`). */
  sink?: CompiledSink | undefined;
  appliesTo(path: string): boolean;
  config: StaticRuleConfig;
};

export type CompiledSink = {
  argument: number | string;
  literalMatches?: RegExp | undefined;
  nonLiteralMatches?: RegExp | undefined;
};

export type RuleSource = { label: string; text: string };

const SEVERITY: Record<StaticRuleConfig["severity"], Severity> = {
  error: "critical",
  warning: "warning",
  info: "suggestion",
  hint: "suggestion",
};

/**
 * Reads rule files (YAML; several rules per file separated by `---`), validates each against the
 * schema and checks ast-grep accepts its matcher. A bad rule is reported by file and id and
 * skipped; it never stops the others.
 */
export function compileRules(sources: readonly RuleSource[]): {
  rules: CompiledRule[];
  errors: string[];
} {
  const available = ensureLanguages();
  const rules: CompiledRule[] = [];
  const errors: string[] = [];
  for (const source of sources) {
    let documents: unknown[];
    try {
      documents = source.text
        .split(/^---\s*$/m)
        .filter((d) => d.trim() !== "")
        .map((d) => parseYaml(d) as unknown);
    } catch (error) {
      errors.push(`${source.label}: invalid YAML (${(error as Error).message.split("\n")[0]})`);
      continue;
    }
    for (const document of documents) {
      const parsed = StaticRuleConfig.safeParse(document);
      if (!parsed.success) {
        const id =
          typeof document === "object" && document !== null && "id" in document
            ? String(document.id)
            : "(no id)";
        errors.push(
          `${source.label}: rule ${id}: ${z.prettifyError(parsed.error).replaceAll("\n", " ")}`,
        );
        continue;
      }
      const config = parsed.data;
      const matcher = {
        rule: config.rule,
        ...(config.constraints ? { constraints: config.constraints } : {}),
        ...(config.utils ? { utils: config.utils } : {}),
      };
      const languages = config.language.filter((l) => available.has(l));
      try {
        for (const language of languages)
          parseAst(astGrepLanguage(language), "")
            .root()
            .findAll(matcher as never);
      } catch (error) {
        errors.push(
          `${source.label}: rule ${config.id}: ast-grep rejected it (${(error as Error).message.split("\n")[0]})`,
        );
        continue;
      }
      const include = config.files ? picomatch(config.files, { dot: true }) : () => true;
      const exclude = config.ignores ? picomatch(config.ignores, { dot: true }) : () => false;
      rules.push({
        id: config.id,
        languages,
        severity: SEVERITY[config.severity],
        category: config.metadata.category,
        message: config.message.trim(),
        note: config.note.trim(),
        matcher,
        fix: config.fix,
        sink: config.sink && {
          argument: config.sink.argument,
          literalMatches:
            config.sink.literal_matches === undefined
              ? undefined
              : ruleRegExp(config.sink.literal_matches),
          nonLiteralMatches:
            config.sink.non_literal_matches === undefined
              ? undefined
              : ruleRegExp(config.sink.non_literal_matches),
        },
        appliesTo: (path) => include(path) && !exclude(path),
        config,
      });
    }
  }
  return { rules, errors };
}
