import process from "node:process";
import { main } from "../cli/main.js";
import { loadDotEnv } from "../config/env.js";

// Wiring only: the CLI logic lives in cli/main.ts, where tests call it with their own streams.
loadDotEnv();
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
});
