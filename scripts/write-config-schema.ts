import { writeFile } from "node:fs/promises";
import { configJsonSchema } from "../src/config/config-json-schema.js";

// `npm run schema` regenerates critic.schema.json; a test fails when the committed file is stale.
await writeFile(
  new URL("../critic.schema.json", import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
