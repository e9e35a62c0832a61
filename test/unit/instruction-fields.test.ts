import { describe, expect, it } from "vitest";
import { createInstructionCache } from "../../src/github/instruction-cache.js";
import { instructionFields, parseInstructionFields } from "../../src/github/instruction-files.js";

const BASE = "b".repeat(40);
const HEAD = "h".repeat(40);
const blob = (text: string) => ({ text, byteSize: Buffer.byteLength(text), isBinary: false });

/** Answers the fields as GitHub would from `files` at BASE. */
function answer(fields: ReturnType<typeof instructionFields>, files: Record<string, unknown>) {
  const repository: Record<string, unknown> = {};
  for (const [alias, expression] of Object.entries(fields.variables)) {
    if (alias === "ibase") repository[alias] = { oid: expression };
    else repository[alias] = files[expression.slice(expression.indexOf(":") + 1)] ?? null;
  }
  return repository;
}

describe("github/instruction-files", () => {
  it("asks for every candidate at the base commit, in variables, never at the head", () => {
    const fields = instructionFields({ base: BASE, changedPaths: ["services/api/x.ts"] });

    expect(Object.values(fields.variables).every((v) => v.startsWith(BASE))).toBe(true);
    expect(Object.values(fields.variables).some((v) => v.includes(HEAD))).toBe(false);
    expect(Object.values(fields.variables)).toEqual(
      expect.arrayContaining([
        `${BASE}:AGENTS.md`,
        `${BASE}:services/api/AGENTS.md`,
        `${BASE}:services/CLAUDE.md`,
        `${BASE}:.cursorrules`,
        `${BASE}:.github/copilot-instructions.md`,
        `${BASE}:.gemini/styleguide.md`,
        `${BASE}:.cursor/rules`,
        `${BASE}:.github/instructions`,
        BASE,
      ]),
    );
    expect(fields.declared).toHaveLength(Object.keys(fields.variables).length);
    expect(fields.fields).toContain("i0: object(expression: $i0) { ... on Blob");
    expect(fields.fields).toContain("idir0: object(expression: $idir0) { ... on Tree");
    expect(fields.fields).toContain("ibase: object(expression: $ibase) { oid }");
  });

  it("keeps a path with quotes, braces or newlines out of the query text", () => {
    const fields = instructionFields({ base: BASE, changedPaths: ['a"){x}\n/b.ts'] });

    expect(fields.fields).not.toContain('a"');
    expect(fields.fields).not.toContain("\n");
    expect(Object.values(fields.variables)).toContain(`${BASE}:a"){x}\n/AGENTS.md`);
  });

  it("reads the answer: found files, trees' matching blobs, and every path asked", () => {
    const fields = instructionFields({ base: BASE, changedPaths: ["services/api/x.ts"] });
    const read = parseInstructionFields(
      answer(fields, {
        "AGENTS.md": blob("Root."),
        "services/api/AGENTS.md": blob("API."),
        "services/CLAUDE.md": { text: null, byteSize: 10, isBinary: true },
        ".cursor/rules": {
          entries: [
            { name: "api.mdc", type: "blob", object: blob("---\nglobs: services/**\n---\nZod.") },
            { name: "nested", type: "tree", object: null },
            { name: "readme.md", type: "blob", object: blob("Not a rule.") },
          ],
        },
        ".github/instructions": null,
      }),
      fields.plan,
    );

    expect(read?.oid).toBe(BASE);
    expect(read?.files.map((f) => f.path)).toEqual([
      ".cursor/rules/api.mdc",
      "AGENTS.md",
      "services/api/AGENTS.md",
    ]);
    expect(read?.asked).toEqual(
      new Set([
        "AGENTS.md",
        "CLAUDE.md",
        "services/AGENTS.md",
        "services/CLAUDE.md",
        "services/api/AGENTS.md",
        "services/api/CLAUDE.md",
        ".cursorrules",
        ".github/copilot-instructions.md",
        ".gemini/styleguide.md",
        ".cursor/rules/",
        ".github/instructions/",
      ]),
    );
  });

  it("gives nothing when the base could not be resolved, or the answer is missing", () => {
    const fields = instructionFields({ base: "deleted-branch", changedPaths: ["x.ts"] });

    expect(parseInstructionFields({ ibase: null }, fields.plan)).toBeUndefined();
    expect(parseInstructionFields(null, fields.plan)).toBeUndefined();
  });

  it("asks a known commit only for the folders it has not seen, and nothing when told to skip", () => {
    const first = instructionFields({ base: BASE, changedPaths: ["services/api/x.ts"] });
    const known = parseInstructionFields(answer(first, { "AGENTS.md": blob("Root.") }), first.plan);

    const again = instructionFields({ base: BASE, changedPaths: ["services/api/y.ts"], known });
    expect(again).toMatchObject({ declared: [], fields: "", variables: {} });

    const more = instructionFields({ base: BASE, changedPaths: ["web/z.ts"], known });
    expect(Object.values(more.variables)).toEqual([
      `${BASE}:web/AGENTS.md`,
      `${BASE}:web/CLAUDE.md`,
    ]);
    const merged = parseInstructionFields(
      answer(more, { "web/AGENTS.md": blob("Web.") }),
      more.plan,
      known,
    );
    expect(merged?.files.map((f) => f.path)).toEqual(["AGENTS.md", "web/AGENTS.md"]);
    expect(merged?.asked.has("web/CLAUDE.md")).toBe(true);

    expect(instructionFields({ base: BASE, changedPaths: ["a.ts"], skip: true }).fields).toBe("");
  });

  it("cuts a huge blob before keeping it", () => {
    const fields = instructionFields({ base: BASE, changedPaths: ["x.ts"] });
    const read = parseInstructionFields(
      answer(fields, { "AGENTS.md": blob("x ".repeat(5_000_000)) }),
      fields.plan,
    );

    expect(read?.files[0]?.truncated).toBe(true);
    expect(Buffer.byteLength(read?.files[0]?.text ?? "")).toBeLessThanOrEqual(16 * 1024);
  });
});

describe("github/instruction-cache", () => {
  const read = (oid: string, text = "Root.") => ({
    oid,
    asked: new Set(["AGENTS.md"]),
    files: [{ path: "AGENTS.md", kind: "nearest" as const, text, truncated: false }],
  });

  it("keeps a read per repository and base commit", () => {
    const cache = createInstructionCache();
    cache.remember("Owner/Repo", read(BASE));

    expect(cache.cachedInstructions("owner/repo", BASE)?.files[0]?.text).toBe("Root.");
    expect(cache.cachedInstructions("owner/repo", "c".repeat(40))).toBeUndefined();
    expect(cache.cachedInstructions("owner/other", BASE)).toBeUndefined();
  });

  it("stays within its size, dropping the least recently used", () => {
    const cache = createInstructionCache({ maxBytes: 100_000 });
    cache.remember("o/r", read("1", "a".repeat(30_000)));
    cache.remember("o/r", read("2", "b".repeat(30_000)));

    expect(cache.cachedInstructions("o/r", "1")).toBeUndefined();
    expect(cache.cachedInstructions("o/r", "2")).toBeDefined();
  });
});
