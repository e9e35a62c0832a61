import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { compactFile, expandFile } from "../../src/engine/analyze/compact-file.js";
import type { ReviewFile } from "../../src/model/types.js";

const roundTrip = (file: ReviewFile) =>
  expandFile(structuredClone(compactFile(file)), { sliceLines: 1_000 });

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

  it("keeps a small file's lines compact: rebuilt when read, never held, and a stage may set its own", async () => {
    const file: ReviewFile = {
      path: "a.ts",
      status: "modified",
      hunks: parsePatch("@@ -1,2 +1,2 @@\n-old\n+new\n same"),
    };
    const back = await roundTrip(file);
    const hunk = back.hunks[0];
    if (!hunk) throw new Error("no hunk");

    // Read twice: the same lines, built anew each time (nothing keeps them between reads).
    expect(hunk.lines).toEqual(file.hunks[0]?.lines);
    expect(hunk.lines).not.toBe(hunk.lines);
    // Copies (spread, JSON) carry the lines, as they would a plain file's.
    expect({ ...hunk }).toEqual(file.hunks[0]);
    expect(JSON.parse(JSON.stringify(back))).toEqual(JSON.parse(JSON.stringify(file)));
    hunk.lines = hunk.lines.slice(1);
    expect(hunk.lines.map((l) => l.text)).toEqual(["new", "same"]);
  });

  it("leaves the texts found in the patch there, and carries only the cleaned ones", async () => {
    const raw = [
      "@@ -1,2 +1,3 @@",
      " same\r",
      "-old",
      '+const key = "AKIAZ7XQ4M2N8P5R3T6V";',
      "+new",
      "\\ No newline at end of file",
    ].join("\n");
    // The lines as the analysis left them: one of them cleaned.
    const hunks = parsePatch(raw);
    const cleaned = hunks[0]?.lines[2];
    if (cleaned) cleaned.text = 'const key = "[REDACTED]";';
    const file: ReviewFile = { path: "a.ts", status: "modified", hunks };

    const compact = compactFile(file, raw);

    expect(compact.text).toBe('const key = "[REDACTED]";');
    expect([...compact.inPatch].map((at) => at >= 0)).toEqual([true, true, false, true]);
    const back = await expandFile(structuredClone(compact), { patch: raw });
    expect(back).toEqual(file);
    expect(JSON.stringify(back)).not.toContain("AKIA");
    await expect(
      expandFile(structuredClone(compactFile({ ...file, path: "big" }, raw)), {}).then(
        (f) => f.hunks[0]?.lines,
      ),
    ).rejects.toThrow("its patch, which was not given");
  });

  it("finds lines in a hostile patch in linear time", () => {
    // Rows the parser skips (long ones) before a long run of lines: each row is looked at a
    // bounded number of times, not once per line.
    const junk = `x${"y".repeat(200_000)}`;
    const patch = `@@ -0,0 +1,100000 @@\n${junk}\n${junk}\n${junk}\n${"+a\n".repeat(100_000)}`;
    const file: ReviewFile = { path: "a", status: "added", hunks: parsePatch(patch) };

    const started = performance.now();
    const compact = compactFile(file, patch);

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(compact.inPatch.filter((at) => at >= 0).length).toBeGreaterThan(99_990);
  });
});
