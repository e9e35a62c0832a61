import type { Provider } from "./provider.js";

/**
 * The built-in checks as a provider: always available, never fails, always last in the chain. It
 * reports the findings the pipeline already computed and leaves the rating to the rubric.
 */
export function createStaticProvider(): Provider {
  return {
    id: "static",
    displayName: "Static checks",
    usesModel: false,
    async review(input) {
      const n = input.staticFindings.length;
      return {
        findings: input.staticFindings,
        summary: `Static checks only: ${n} ${n === 1 ? "finding" : "findings"} from Critic's built-in rules (secrets, conflict markers, debug leftovers).`,
        rating: undefined,
        conclusion:
          n === 0
            ? "The built-in checks found nothing to fix. No model reviewed this change, so logic and design were not checked."
            : "Fix the findings above before merging. No model reviewed this change, so logic and design were not checked.",
        model: "built-in rules",
        dropped: 0,
      };
    },
  };
}
