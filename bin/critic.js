#!/usr/bin/env node
// Runs the compiled CLI. `npm ci` builds dist/ through the "prepare" script.
try {
  await import("../dist/bin/critic.js");
} catch (error) {
  if (
    error?.code === "ERR_MODULE_NOT_FOUND" &&
    String(error.message).includes("dist/bin/critic.js")
  ) {
    console.error(
      "critic: dist/ is missing; run `npm run build` (npm ci does this for you) and try again.",
    );
    process.exit(2);
  }
  throw error;
}
