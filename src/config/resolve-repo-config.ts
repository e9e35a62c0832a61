import type { z } from "zod";
import { defaultRepoConfig, RepoConfig } from "./repo-config.schema.js";

/** One configuration file as read from GitHub (`null` when it does not exist). */
export type ConfigSource = { label: string; config: Record<string, unknown> | null };

export type ResolvedRepoConfig = {
  config: RepoConfig;
  /** Where each top-level key's value came from: a file's label, or "default". */
  origins?: Record<string, string> | undefined;
  /** Human-readable problems, each naming the file and the key; empty when the config is valid. */
  errors: string[];
};

/**
 * Merges configuration files, lowest precedence first (org `.github` repo, `_extends` targets, the
 * repository's own file), and validates the result. Arrays replace rather than concatenate, so a
 * repository's `exclude` is exactly what it wrote. An invalid result falls back to the defaults
 * and says which file and key were wrong; a bad file never stops a review.
 */
export function resolveRepoConfig(sources: readonly ConfigSource[]): ResolvedRepoConfig {
  const merged: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const source of sources) {
    if (!source.config) continue;
    for (const [key, value] of Object.entries(source.config)) {
      if (key === "_extends") continue;
      merged[key] = value;
      origins[key] = source.label;
    }
  }
  const result = RepoConfig.safeParse(merged);
  if (result.success) {
    const all = Object.fromEntries(
      Object.keys(result.data).map((k) => [k, origins[k] ?? "default"]),
    );
    return { config: result.data, origins: all, errors: [] };
  }

  const errors = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join(".") : keysOf(issue);
    const top = String(issue.path[0] ?? keysOf(issue).split(",")[0] ?? "");
    const file =
      [...sources].reverse().find((s) => s.config && top in s.config)?.label ?? "configuration";
    return `${file}: \`${key}\`: ${issue.message}`;
  });
  return { config: defaultRepoConfig(), errors };
}

function keysOf(issue: z.core.$ZodIssue): string {
  return issue.code === "unrecognized_keys" ? issue.keys.join(",") : "(root)";
}
