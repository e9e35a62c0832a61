import { describe, expect, it } from "vitest";
import { parsePatch } from "../../src/diff/parse-patch.js";

const numbers = (patch: string) =>
  parsePatch(patch).map((h) =>
    h.lines.map((l) => `${l.kind}:${l.oldLine ?? "-"}:${l.newLine ?? "-"}:${l.text}`),
  );

describe("review/diff/parse-patch", () => {
  it("numbers added, deleted and context lines from the hunk header", () => {
    const patch =
      "@@ -10,3 +10,4 @@ function greet() {\n const a = 1;\n-const b = 2;\n+const b = 3;\n+const c = 4;\n return a;";
    const [hunk] = parsePatch(patch);

    expect(hunk).toMatchObject({
      oldStart: 10,
      oldLines: 3,
      newStart: 10,
      newLines: 4,
      section: "function greet() {",
    });
    expect(numbers(patch)).toEqual([
      [
        "context:10:10:const a = 1;",
        "del:11:-:const b = 2;",
        "add:-:11:const b = 3;",
        "add:-:12:const c = 4;",
        "context:12:13:return a;",
      ],
    ]);
  });

  it("reads hunk headers without counts as one line each", () => {
    expect(numbers("@@ -1 +1 @@\n-old\n+new")).toEqual([["del:1:-:old", "add:-:1:new"]]);
  });

  it("handles a new file and a deleted file", () => {
    expect(numbers("@@ -0,0 +1,2 @@\n+a\n+b")).toEqual([["add:-:1:a", "add:-:2:b"]]);
    expect(numbers("@@ -1,2 +0,0 @@\n-a\n-b")).toEqual([["del:1:-:a", "del:2:-:b"]]);
  });

  it("drops '\\ No newline at end of file' without shifting numbers", () => {
    const patch =
      "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n\\ No newline at end of file";
    expect(numbers(patch)).toEqual([["context:1:1:a", "del:2:-:b", "add:-:2:b"]]);
  });

  it("strips CRLF line endings", () => {
    expect(numbers("@@ -1,2 +1,2 @@\r\n keep\r\n-x\r\n+y\r\n")).toEqual([
      ["context:1:1:keep", "del:2:-:x", "add:-:2:y"],
    ]);
  });

  it("parses several hunks and skips git's file headers before the first", () => {
    const patch =
      "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n+b\n@@ -20,2 +20,3 @@ section\n x\n+y\n z";
    const hunks = parsePatch(patch);

    expect(hunks.map((h) => [h.newStart, h.lines.length])).toEqual([
      [1, 2],
      [20, 3],
    ]);
    expect(hunks[1]?.lines.map((l) => l.newLine)).toEqual([20, 21, 22]);
  });

  it("treats an empty row inside a hunk as an empty context line, and ignores rows past the counts", () => {
    expect(numbers("@@ -1,3 +1,3 @@\n a\n\n c\n garbage past the end\n")).toEqual([
      ["context:1:1:a", "context:2:2:", "context:3:3:c"],
    ]);
  });

  it("keeps a deleted line whose text starts with dashes", () => {
    expect(numbers("@@ -1,1 +1,1 @@\n--- SQL comment\n+++ plus")).toEqual([
      ["del:1:-:-- SQL comment", "add:-:1:++ plus"],
    ]);
  });

  it("returns no hunks for an empty or header-less patch", () => {
    expect(parsePatch("")).toEqual([]);
    expect(parsePatch("Binary files a/x and b/x differ")).toEqual([]);
  });
});
