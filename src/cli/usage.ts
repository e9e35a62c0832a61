// The help text: main.ts prints it without loading the review or assessment modules.

export const ASSESS_USAGE =
  "Usage: critic assess <repo-url | folder> --assignment <file.md> --level junior|middle|senior [--ref <ref>] [--format markdown|json]";

export const USAGE = `Usage: critic review [--base <ref>] [--repo <dir>] [--fail-on <severity>] [--format markdown|json]
       critic review --diff <file>|- [--repo <dir>] [--fail-on <severity>] [--format markdown|json]
       critic assess <repo-url | folder> --assignment <file.md> --level junior|middle|senior [--ref <ref>] [--format markdown|json]
       critic --version | --help

critic review: reviews a change with the same pipeline as the GitHub App and prints the summary.
  --base <ref>          review \`git diff <ref>...HEAD\` of the repository
                        (default base: origin/HEAD, main or master)
  --repo <dir>          the git repository (default for --base: the one the current directory is in);
                        the changed files, .github/critic.yml and .github/critic/rules/ are read from
                        its HEAD commit, never from the working tree
  --diff <file>         review a unified diff file instead ("-" reads standard input); without --repo
                        the static rules read the diff's hunks only, and the defaults apply
  --fail-on <severity>  exit 1 when a finding is at least critical, warning or suggestion
  --format <fmt>        markdown (default) or json

critic assess: reviews a candidate's whole solution against the assignment and the level, and
prints a rated report. A folder is read as it is on disk and needs no GitHub access; a URL is read
through GitHub's API (GITHUB_TOKENS, if set, for quota), at --ref (a branch, tag or commit) if given.

Both read the environment (OPENAI_API_KEY, GEMINI_API_KEY, GITHUB_TOKENS, CRITIC_*); with no model
key they run Critic's built-in static checks only and say so.
  --dotenv <file>       read variables from this file too (variables already set win)

Exit codes:
  0  the command ran (an empty diff too: nothing to review), or --help, --version
  1  a review finding met --fail-on
  2  bad usage, input that is not a unified diff, or an error`;
