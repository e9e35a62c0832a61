import picomatch from "picomatch";
import type { FileDecision } from "../../model/review-result.js";
import type { ChangedFile } from "../../model/types.js";
import { detectGenerated } from "./detect-generated.js";

export type { FileDecision };

const BUILT = "built or generated file";

/**
 * Files no reviewer wants comments on. Globs are matched against the whole path with `dot: true`
 * so that dotted folders (`.yarn/`, `.github/`) behave like any other. Built output is matched by
 * folder name at any depth (`packages/a/dist/index.js`), never by a prefix (`src/dist-utils.ts`).
 */
export const DEFAULT_EXCLUDES: ReadonlyArray<{ reason: string; globs: string[] }> = [
  {
    reason: "lockfile",
    globs: [
      "**/package-lock.json",
      "**/npm-shrinkwrap.json",
      "**/yarn.lock",
      "**/pnpm-lock.yaml",
      "**/bun.lockb",
      "**/Cargo.lock",
      "**/poetry.lock",
      "**/Pipfile.lock",
      "**/uv.lock",
      "**/Gemfile.lock",
      "**/composer.lock",
      "**/go.sum",
      "**/packages.lock.json",
      "**/gradle.lockfile",
      "**/Package.resolved",
      "**/*.lock",
    ],
  },
  {
    reason: BUILT,
    globs: [
      // Build output folders, bundles, minified files and source maps.
      "**/dist/**",
      "**/build/**",
      "**/out/**",
      "**/*.min.*",
      "**/*.bundle.*",
      "**/*.map",
      // Code generators' output.
      "**/*.generated.*",
      "**/*.g.dart",
      "**/*_pb2.py",
      "**/*.pb.go",
      "**/*.pb.ts",
      "**/generated/**",
      "**/.pnp.cjs",
      "**/.pnp.loader.mjs",
    ],
  },
  {
    reason: "vendored",
    globs: ["**/vendor/**", "**/node_modules/**", "**/third_party/**", "**/bower_components/**"],
  },
  { reason: "snapshot", globs: ["**/__snapshots__/**", "**/*.snap"] },
  {
    reason: "image or binary asset",
    globs: [
      "**/*.{png,jpg,jpeg,gif,bmp,ico,webp,avif,svg,pdf,woff,woff2,ttf,otf,eot,mp3,mp4,mov,zip,gz,tgz,jar,exe,dll,so,dylib,wasm}",
    ],
  },
];

export type FilterOptions = {
  include: readonly string[];
  exclude: readonly string[];
  /** Patches larger than this many bytes are skipped: no model reads 10 MB usefully. */
  maxPatchBytes: number;
};

const GLOB_OPTIONS = { dot: true } as const;

let compiledDefaults: Array<{ reason: string; match: picomatch.Matcher }> | undefined;

// Compiled once per process: a review filters its files several times, and compiling these
// globs each time was about 2 % of the server's main thread per review.
const defaultMatchers = () =>
  (compiledDefaults ??= DEFAULT_EXCLUDES.map(({ reason, globs }) => ({
    reason,
    // Built-in globs ignore case: LOGO.PNG is as much an image as logo.png.
    match: picomatch(globs, { ...GLOB_OPTIONS, nocase: true }),
  })));

// A review filters the same files several times (to choose head files to read, then to review,
// then to rate): what a patch reads as is worked out once per file.
const generatedByFile = new WeakMap<ChangedFile, { patch: string; generated?: string }>();
const generatedOf = (file: ChangedFile, patch: string) => {
  const known = generatedByFile.get(file);
  if (known?.patch === patch) return known.generated;
  const generated = detectGenerated(patch);
  generatedByFile.set(file, generated === undefined ? { patch } : { patch, generated });
  return generated;
};

/**
 * Decides, for each changed file, whether Critic reviews it and, if not, why. Built-in excludes
 * go by path, then by content (a patch that reads as generated or minified, see
 * `detectGenerated`); a file the repository's `include` names is exempt from both. Pure.
 */
export function filterFiles(files: readonly ChangedFile[], options: FilterOptions): FileDecision[] {
  const defaults = defaultMatchers();
  const userExclude =
    options.exclude.length > 0 ? picomatch([...options.exclude], GLOB_OPTIONS) : undefined;
  const userInclude =
    options.include.length > 0 ? picomatch([...options.include], GLOB_OPTIONS) : undefined;

  return files.map((file): FileDecision => {
    const skip = (reason: string): FileDecision => ({ file, reviewed: false, reason });
    if (userInclude && !userInclude(file.path)) return skip("not in `include`");
    if (userExclude?.(file.path)) return skip("excluded by `exclude`");
    const builtIn = defaults.find((d) => d.match(file.path));
    // An explicit include wins over the built-in excludes: the user asked for this file.
    if (builtIn && !userInclude) return skip(`excluded by default (${builtIn.reason})`);
    if (file.status === "removed") return skip("deleted");
    if (file.patch === undefined || file.patch === "") {
      if (file.status === "renamed" && file.additions + file.deletions === 0) {
        return skip("renamed without changes");
      }
      return skip("no diff from GitHub (binary or too large)");
    }
    const generated = userInclude ? undefined : generatedOf(file, file.patch);
    if (generated) return skip(`excluded by default (${BUILT}: ${generated})`);
    const bytes = Buffer.byteLength(file.patch, "utf8");
    if (bytes > options.maxPatchBytes) {
      return skip(`diff too large (${Math.round(bytes / 1024)} KB)`);
    }
    return { file, reviewed: true };
  });
}

/**
 * The size of the code under review: lines added in the files chosen for review. Built,
 * generated, vendored and lockfile lines do not count, so they cannot dilute the rating.
 */
export function countReviewedLines(decisions: readonly FileDecision[]): number {
  let lines = 0;
  for (const d of decisions) if (d.reviewed) lines += Math.max(0, d.file.additions);
  return lines;
}
