import { z } from "zod";
import { RepoConfig } from "./repo-config.schema.js";

/** The JSON schema editors use for `.github/critic.yml`, generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RepoConfig, { io: "input" }) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  return {
    ...schema,
    title: "Critic configuration (.github/critic.yml)",
    properties: {
      // Handled by Probot's config loader before validation, so it is not in the zod schema.
      _extends: {
        type: "string",
        description:
          "Inherit settings from another repository's file: `repo`, `owner/repo` or `repo:path/file.yml`.",
      },
      ...schema.properties,
    },
  };
}
