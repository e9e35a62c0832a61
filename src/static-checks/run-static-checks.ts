import type { Finding, ReviewFile } from "../review/types.js";
import { conflictMarkers } from "./rules/conflict-markers.js";
import { debugLeftovers } from "./rules/debug-leftovers.js";
import type { StaticRule } from "./static-rule.js";

export const BUILT_IN_RULES: readonly StaticRule[] = [conflictMarkers, debugLeftovers];

/** Runs every built-in rule over every file. Never throws: a failing rule is skipped and named. */
export function runStaticChecks(
  files: readonly ReviewFile[],
  rules: readonly StaticRule[] = BUILT_IN_RULES,
): { findings: Finding[]; failedRules: string[] } {
  const findings: Finding[] = [];
  const failedRules = new Set<string>();
  for (const file of files) {
    for (const rule of rules) {
      try {
        findings.push(...rule.check(file));
      } catch {
        failedRules.add(rule.id);
      }
    }
  }
  return { findings, failedRules: [...failedRules] };
}
