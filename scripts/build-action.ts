import { copyFile, mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

// `npm run build:action`: the GitHub Action as one file, dist-action/index.js, so a workflow runs
// it with no `npm ci`. What cannot be inlined in JavaScript is handled here:
// - ast-grep's native binding: its loader requires `./ast-grep-napi.<platform>.node` beside the
//   bundle first, so the Linux x64 build (GitHub's hosted runners) is copied there;
// - the tokenizer's vocabulary, a data file of gpt-tokenizer read at run time, is copied there too;
// - rules/ and package.json are read from the repository at run time (dist-action/ sits one level
//   below its root, as dist/ does).
const out = new URL("../dist-action/", import.meta.url);
const binding = "@ast-grep/napi-linux-x64-gnu";
const nativeFile = "ast-grep-napi.linux-x64-gnu.node";

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL("../src/action/main.ts", import.meta.url).pathname],
  outfile: new URL("index.js", out).pathname,
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "esm",
  legalComments: "none",
  logLevel: "warning",
  // The platform packages are found beside the bundle instead (see above).
  external: ["@ast-grep/napi-*"],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __criticRequire } from 'node:module'; const require = __criticRequire(import.meta.url);",
  },
});
const bindingDir = dirname(createRequire(import.meta.url).resolve(`${binding}/package.json`));
await copyFile(join(bindingDir, nativeFile), new URL(nativeFile, out));
const vocabulary = "o200k_base.tiktoken";
await copyFile(
  createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${vocabulary}`),
  new URL(vocabulary, out),
);
