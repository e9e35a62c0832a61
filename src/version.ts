import { createRequire } from "node:module";

// Resolved from src/ in tests and from dist/ when built: both sit one level below package.json.
export const VERSION: string = (
  createRequire(import.meta.url)("../package.json") as { version: string }
).version;
