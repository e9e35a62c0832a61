import { readdirSync, readFileSync } from "node:fs";
import type { CompiledRule } from "../../src/engine/static/compile-rules.js";
import { languageOf } from "../../src/engine/static/languages.js";
import { runStaticChecks } from "../../src/engine/static/run-static-checks.js";
import type { ReviewFile } from "../../src/model/types.js";

const CORPUS = new URL("./static-corpus/", import.meta.url);
const LABEL = /(?:#|\/\/)\s*(ruleid|ok):\s*([a-z-]+)\s*$/;

/** The family a built-in rule reports in, as the corpus labels it; undefined for the rest. */
export function familyOf(ruleId: string): string | undefined {
  if (/sql/.test(ruleId)) return "sql";
  if (/shell|runtime-exec|command/.test(ruleId)) return "shell";
  if (/eval/.test(ruleId)) return "eval";
  if (/tls/.test(ruleId)) return "tls";
  if (/deserialization|yaml-unsafe/.test(ruleId)) return "deserialization";
  return undefined;
}

export type Score = {
  family: string;
  language: string;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** Look-alikes labelled `ok`. */
  negatives: number;
};

/**
 * Runs `rules` over every labelled file of the corpus (each wholly added, its head text known)
 * and counts, per family and language, labelled lines found, findings on unlabelled lines, and
 * labelled lines missed. A finding counts on its `line`, the sink's.
 */
export function scoreStaticCorpus(rules: readonly CompiledRule[]): Score[] {
  const scores = new Map<string, Score>();
  const score = (family: string, language: string) => {
    const key = `${family}/${language}`;
    let s = scores.get(key);
    if (!s) {
      s = {
        family,
        language,
        truePositives: 0,
        falsePositives: 0,
        falseNegatives: 0,
        negatives: 0,
      };
      scores.set(key, s);
    }
    return s;
  };
  for (const name of readdirSync(CORPUS)
    .filter((n) => n.endsWith(".txt"))
    .sort()) {
    const path = `corpus/${name.slice(0, -".txt".length)}`;
    const text = readFileSync(new URL(name, CORPUS), "utf8");
    const language = languageOf(path);
    if (!language) continue;
    const lines = text.split("\n");
    const expected = new Map<number, Set<string>>();
    let pending: Array<[string, string]> = [];
    for (const [i, line] of lines.entries()) {
      const label = LABEL.exec(line);
      if (label?.[1] && label[2]) {
        pending.push([label[1], label[2]]);
        continue;
      }
      for (const [kind, family] of pending) {
        if (kind === "ok") score(family, language).negatives++;
        else expected.set(i + 1, (expected.get(i + 1) ?? new Set()).add(family));
      }
      pending = [];
    }
    const { findings } = runStaticChecks({
      files: [wholeFile(path, lines)],
      headTexts: new Map([[path, text]]),
      rules,
    });
    const found = new Set<string>();
    for (const finding of findings) {
      const family = familyOf(finding.source);
      if (!family) continue;
      const key = `${finding.line}/${family}`;
      if (found.has(key)) continue;
      found.add(key);
      if (expected.get(finding.line)?.has(family)) score(family, language).truePositives++;
      else score(family, language).falsePositives++;
    }
    for (const [line, families] of expected)
      for (const family of families)
        if (!found.has(`${line}/${family}`)) score(family, language).falseNegatives++;
  }
  return [...scores.values()].sort(
    (a, b) => a.family.localeCompare(b.family) || a.language.localeCompare(b.language),
  );
}

function wholeFile(path: string, lines: readonly string[]): ReviewFile {
  return {
    path,
    status: "added",
    hunks: [
      {
        oldStart: 0,
        oldLines: 0,
        newStart: 1,
        newLines: lines.length,
        section: "",
        lines: lines.map((text, i) => ({ kind: "add" as const, text, newLine: i + 1 })),
      },
    ],
  };
}

/** Precision and recall of a set of scores added up, in words. */
export function describeScore(scores: readonly Score[]): { text: string; precision: number } {
  const tp = scores.reduce((n, s) => n + s.truePositives, 0);
  const fp = scores.reduce((n, s) => n + s.falsePositives, 0);
  const fn = scores.reduce((n, s) => n + s.falseNegatives, 0);
  const negatives = scores.reduce((n, s) => n + s.negatives, 0);
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return {
    text: `precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)} (${tp} of ${tp + fn} found; ${fp} false alarms; ${negatives} look-alikes labelled)`,
    precision,
  };
}
