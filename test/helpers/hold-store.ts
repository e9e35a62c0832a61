/**
 * A second process for the store's lock test: opens the embedded store in the folder given as
 * its argument, says "open" on stdout, and holds it until its stdin closes.
 */
import pino from "pino";
import { realClock } from "../../src/resilience/clock.js";
import { createRedactor } from "../../src/security/redactor.js";
import { openStore } from "../../src/store/open-store.js";

const dataDir = process.argv[2] ?? "";
const store = await openStore(
  { databaseUrl: undefined, dataDir, retentionDays: 90 },
  { log: pino({ level: "silent" }), redactor: createRedactor(), clock: realClock },
);
process.stdout.write("open\n");
process.stdin.resume();
process.stdin.on("end", () => {
  void store.close().then(() => process.exit(0));
});
