import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { compactFile, expandFile } from "../../src/engine/analyze/compact-file.js";
import type { ReviewFile } from "../../src/model/types.js";

const roundTrip = (file: ReviewFile) => expandFile(structuredClone(compactFile(file)), 1_000);

describe("engine/analyze/compact-file", () => {
  it("brings a file back line for line: kinds, texts, both line numbers and counted tokens", async () => {
    const hunks = parsePatch(
      [
        "@@ -1,3 +1,4 @@ function main() {",
        " context line",
        "-removed",
        "+added 🙂 with a surrogate pair",
        "+carriage\rreturn and a NUL \u0000",
        "+",
        "@@ -40,1 +41,1 @@",
        "-x",
        "+y",
      ].join("\n"),
    );
    const first = hunks[0]?.lines[0];
    if (first) first.tokens = 3;
    const file: ReviewFile = {
      path: "src/a b.ts",
      previousPath: "old.ts",
      status: "renamed",
      hunks,
    };

    expect(await roundTrip(file)).toEqual(file);
  });

  it("keeps a file without hunks, and one of 126,500 blank added lines", async () => {
    const empty: ReviewFile = { path: "bin.png", status: "added", hunks: [] };
    expect(await roundTrip(empty)).toEqual(empty);

    const blank: ReviewFile = {
      path: "blank.txt",
      status: "added",
      hunks: parsePatch(`@@ -0,0 +1,126500 @@\n${"+\n".repeat(126_499)}+`),
    };
    const back = await roundTrip(blank);
    expect(back.hunks[0]?.lines).toHaveLength(126_500);
    expect(back.hunks[0]?.lines.at(-1)).toEqual({
      kind: "add",
      text: "",
      newLine: 126_500,
      oldLine: undefined,
      tokens: undefined,
    });
  });
});
