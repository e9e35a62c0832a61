import { copyFile, mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = new URL("../", import.meta.url);

/**
 * The console's browser assets: `console.js` (the page script with CodeMirror bundled in, so the
 * server needs no CDN and the strict Content-Security-Policy holds) and `console.css`, written
 * into `outdir`. The server serves them from `/console/assets/`.
 */
export async function buildConsole(outdir: string): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [fileURLToPath(new URL("console/src/main.ts", root))],
    outfile: resolve(outdir, "console.js"),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    legalComments: "none",
    logLevel: "warning",
    // The page script must not pull in anything of the server's by accident.
    tsconfig: fileURLToPath(new URL("console/tsconfig.json", root)),
  });
  await copyFile(new URL("console/console.css", root), resolve(outdir, "console.css"));
}

// `node --import tsx scripts/build-console.ts [outdir]`, by default into dist/console/assets.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConsole(
    resolve(process.argv[2] ?? fileURLToPath(new URL("dist/console/assets", root))),
  );
}
