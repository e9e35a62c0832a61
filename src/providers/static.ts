import type { Provider } from "./provider.js";

/**
 * The built-in checks as a provider: always available, never fails, always last in the chain. It
 * reports the findings the pipeline already computed and leaves the rating to the rubric; the
 * engine writes the summary of a review no model read, from the findings of every part.
 */
export function createStaticProvider(): Provider {
  return {
    id: "static",
    displayName: "Static checks",
    usesModel: false,
    async review(input) {
      return {
        findings: [...input.staticFindings],
        summary: "",
        rating: undefined,
        conclusion: "",
        model: "built-in rules",
        dropped: 0,
      };
    },
  };
}
