// The Action's entry (bundled to dist-action/index.js). No logic here: see run-action.ts.
import { runAction } from "./run-action.js";

process.exitCode = await runAction();
