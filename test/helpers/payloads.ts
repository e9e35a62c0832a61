import { createRequire } from "node:module";

type Definition = { name: string; examples: Array<Record<string, unknown>> };

// The package's main is a JSON file; createRequire avoids import attributes under NodeNext.
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as Definition[];

/**
 * A deep copy of GitHub's own example payload for `event.action` that carries an installation,
 * with `overrides` applied to its pull_request.
 */
export function pullRequestPayload(
  action: string,
  overrides: Record<string, unknown> = {},
): PullRequestPayload {
  const example = definitions
    .find((d) => d.name === "pull_request")
    ?.examples.find((e) => e.action === action && e.installation !== undefined);
  if (!example) throw new Error(`no pull_request.${action} example with an installation`);
  const payload = structuredClone(example) as PullRequestPayload;
  Object.assign(payload.pull_request, overrides);
  return payload;
}

export type PullRequestPayload = {
  action: string;
  installation: { id: number };
  repository: { name: string; owner: { login: string } };
  pull_request: {
    number: number;
    head: { sha: string };
    title: string;
    body: string | null;
    draft?: boolean;
    state: string;
  };
  [key: string]: unknown;
};
