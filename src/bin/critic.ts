import process from "node:process";
import { main } from "../cli/main.js";

// Wiring only: the CLI logic lives in cli/main.ts, where tests call it with their own streams.
// No `.env` is read from the current directory (see cli/read-cli-env.ts); `--dotenv` reads one.
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
});
