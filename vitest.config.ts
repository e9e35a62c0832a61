import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Redis-backed and server tests share machine services; keep files from racing each other.
    fileParallelism: true,
    testTimeout: 20_000,
  },
});
