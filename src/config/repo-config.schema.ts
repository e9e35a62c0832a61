import { z } from "zod";
import { SEVERITIES } from "../model/types.js";

/**
 * `.github/critic.yml`: what a repository (or its organisation's `.github` repository) may set.
 * Every field has a default, so an absent file means "review with defaults". Unknown keys are
 * errors: a typo should be reported, not silently ignored. No `refine`: this schema becomes
 * `critic.schema.json` for editors.
 */
export const RepoConfig = z
  .object({
    /** Set to false to stop Critic reviewing this repository. */
    enabled: z
      .boolean()
      .default(true)
      .describe("Set to false to stop Critic reviewing this repository."),
    /** Review draft pull requests too (by default they are skipped until marked ready). */
    review_drafts: z
      .boolean()
      .default(false)
      .describe(
        "Review draft pull requests too (by default they wait until marked ready for review).",
      ),
    /** Globs of files to review; empty means every file not excluded. Files it names skip the built-in excludes. */
    include: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Globs of files to review. Empty means every file that is not excluded. A file named here is reviewed even where a built-in exclude (dist/, generated, minified…) would skip it.",
      ),
    /** Globs of files never to review, on top of the built-in excludes (lockfiles, built and generated files, vendored…). */
    exclude: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Globs of files never to review, added to the built-in excludes (lockfiles; built, minified and generated files such as dist/, build/, out/, *.min.*, *.bundle.*, *.map; vendored folders; snapshots; images).",
      ),
    /** At most this many inline comments per review; the rest go to the summary, most severe first. */
    max_comments: z
      .int()
      .min(0)
      .max(100)
      .default(25)
      .describe(
        "At most this many inline comments per review; the rest are listed in the summary, most severe first.",
      ),
    /** Findings below this severity are dropped. */
    min_severity: z
      .enum(SEVERITIES)
      .default("suggestion")
      .describe("Findings below this severity are not reported (critical > warning > suggestion)."),
    /** Extra review guidance for the model, e.g. house rules. It cannot change Critic's output format or permissions. */
    instructions: z
      .string()
      .max(4000)
      .default("")
      .describe(
        "Extra guidance for the reviewer, e.g. house rules. It cannot change Critic's output format or permissions.",
      ),
    /** Guidance for the files a glob matches, given with those files only (most specific first, within the instructions' token budget). */
    path_instructions: z
      .array(
        z
          .object({
            /** Glob of the files the text is for (a glob without `/` matches file names at any depth). */
            path: z
              .string()
              .min(1)
              .max(500)
              .describe(
                "Glob of the files this guidance is for, e.g. services/api/** (a glob without / matches file names at any depth).",
              ),
            /** The guidance. Like `instructions`, it cannot change Critic's output format or permissions. */
            instructions: z
              .string()
              .min(1)
              .max(4000)
              .describe(
                "The guidance for those files. It cannot change Critic's output format or permissions.",
              ),
          })
          .strict(),
      )
      .max(50)
      .default([])
      .describe(
        "Guidance for the files a glob matches, e.g. [{ path: 'services/api/**', instructions: 'Every handler validates its input with zod.' }]. Given to the reviewer with those files only, most specific first, within the repository instructions' token budget.",
      ),
    /** Language of the review comments, as a name or BCP 47 tag (e.g. English, de, pt-BR). */
    language: z
      .string()
      .min(2)
      .max(40)
      .default("English")
      .describe("Language of the review comments, as a name or a BCP 47 tag (English, de, pt-BR)."),
    /** How strict the review is and how much it explains: junior (explains more), middle, senior (terse, strict). */
    level: z
      .enum(["junior", "middle", "senior"])
      .default("middle")
      .describe(
        "How strict the review is and how much it explains: junior explains more, senior is terse and strict.",
      ),
    /** Diff tokens a review may send to a model; files beyond it are listed as skipped for budget. */
    max_tokens_per_review: z
      .int()
      .min(1_000)
      .max(1_000_000)
      .default(60_000)
      .describe(
        "Diff tokens one review may send to a model (the server's CRITIC_MAX_PROMPT_TOKENS is the ceiling). Files beyond it are listed as skipped for budget.",
      ),
    /** The built-in static checks: rules to switch off, and the complexity threshold. */
    static: z
      .object({
        /** Ids of built-in or repository rules to switch off. */
        disable: z
          .array(z.string().min(1))
          .default([])
          .describe("Ids of built-in or repository rules to switch off."),
        /** Functions with a higher cyclomatic complexity are reported when the change adds decision points to them. */
        complexity_threshold: z
          .int()
          .min(1)
          .max(200)
          .default(15)
          .describe(
            "Functions with a higher cyclomatic complexity are reported when the change adds decision points (if, case, loops, catch, ?:, &&, ||) to them.",
          ),
      })
      .strict()
      .prefault({})
      .describe("The built-in static checks: rules to switch off, and the complexity threshold."),
    /** Who may run slash-commands besides people with write access. */
    commands: z
      .object({
        /** Let the pull request's author run commands on their own pull request. */
        allow_author: z
          .boolean()
          .default(false)
          .describe("Let a pull request's author run commands on it even without write access."),
      })
      .strict()
      .prefault({})
      .describe("Who may run slash-commands besides people with write access."),
    /** When the `Critic` check run fails: on findings of a severity, or on a low rating. */
    gate: z
      .object({
        /** The check fails when the review has a finding of this severity or worse; `never` turns this off. */
        fail_on: z
          .enum(["critical", "warning", "never"])
          .default("never")
          .describe(
            "The Critic check fails when the review has a finding of this severity or worse (warning includes critical); never turns this off.",
          ),
        /** The check fails when the rating is below this (0 turns this off). */
        min_rating: z
          .number()
          .min(0)
          .max(10)
          .default(0)
          .describe("The Critic check fails when the rating is below this; 0 turns this off."),
      })
      .strict()
      .prefault({})
      .describe(
        "The quality gate: when the Critic check run concludes failure, so branch protection can block a merge.",
      ),
    /** The review's event: `comment`, or `request_changes` when the gate fails. Critic never approves. */
    review_event: z
      .enum(["comment", "request_changes"])
      .default("comment")
      .describe(
        "comment: the review is always a comment. request_changes: when the quality gate fails, the review requests changes. Critic never approves.",
      ),
    /** Model to ask instead of the server's default (OPENAI_MODEL). The provider and its key stay the operator's. */
    model: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "Model to use instead of the server's default. Providers, keys and URLs are the operator's and cannot be set here.",
      ),
  })
  .strict();

export type RepoConfig = z.infer<typeof RepoConfig>;

export const CONFIG_PATH = ".github/critic.yml";

export function defaultRepoConfig(): RepoConfig {
  return RepoConfig.parse({});
}
