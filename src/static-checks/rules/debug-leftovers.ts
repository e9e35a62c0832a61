import type { Finding, Severity } from "../../review/types.js";
import { languageOf } from "../language.js";
import { addedLines, type StaticRule } from "../static-rule.js";

type Leftover = {
  languages: string[];
  pattern: RegExp;
  what: string;
  severity: Severity;
  removable: boolean;
};

// Each pattern must match the statement alone on its line: precision over recall, because a
// wrong static finding costs more trust than a missed one.
const LEFTOVERS: Leftover[] = [
  {
    languages: ["javascript", "typescript"],
    pattern: /^\s*debugger;?\s*$/,
    what: "`debugger` statement",
    severity: "warning",
    removable: true,
  },
  {
    languages: ["javascript", "typescript"],
    pattern: /^\s*console\.(?:log|debug|trace)\(.*\);?\s*$/,
    what: "`console.log` call",
    severity: "suggestion",
    removable: false,
  },
  {
    languages: ["python"],
    pattern: /^\s*(?:breakpoint\(\)|(?:import (?:i?pdb)\s*;\s*)?i?pdb\.set_trace\(\))\s*$/,
    what: "debugger breakpoint",
    severity: "warning",
    removable: true,
  },
  {
    languages: ["ruby"],
    pattern: /^\s*(?:binding\.pry|byebug|binding\.irb)\s*$/,
    what: "debugger breakpoint",
    severity: "warning",
    removable: true,
  },
  {
    languages: ["php"],
    pattern: /^\s*(?:var_dump|dd|dump)\(.*\);\s*$/,
    what: "debug dump",
    severity: "warning",
    removable: false,
  },
];

/** Debugger statements and debug output left in code. */
export const debugLeftovers: StaticRule = {
  id: "debug-leftover",
  check(file) {
    const language = languageOf(file.path);
    if (!language) return [];
    const rules = LEFTOVERS.filter((r) => r.languages.includes(language));
    if (rules.length === 0) return [];
    const findings: Finding[] = [];
    for (const line of addedLines(file)) {
      const rule = rules.find((r) => r.pattern.test(line.text));
      if (!rule) continue;
      findings.push({
        path: file.path,
        line: line.newLine,
        severity: rule.severity,
        category: "maintainability",
        message: `Debug leftover: ${rule.what}. Remove it before merging.`,
        // An empty suggestion deletes the line when applied.
        suggestion: rule.removable ? "" : undefined,
        source: "debug-leftover",
      });
    }
    return findings;
  },
};
