import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddress, throttleKey } from "../../src/api/api-handler.js";
import { createApiKeys } from "../../src/api/api-keys.js";
import { parseRepoUrl, webHostOf } from "../../src/assess/repo-url.js";
import { selectFiles } from "../../src/assess/select-files.js";
import { buildSynthesisQuestion, parseLevel, parseSynthesis } from "../../src/assess/synthesis.js";
import { parsePatch } from "../../src/diff/parse-patch.js";
import { asAddedFile } from "../../src/engine/whole-file.js";

const GITHUB = { host: "github.com", protocol: "https" } as const;

describe("assess/repo-url", () => {
  it("reads repository URLs in their usual shapes", () => {
    for (const url of [
      "https://github.com/octo/hello",
      "https://github.com/octo/hello/",
      "https://github.com/octo/hello.git",
      " https://GitHub.com/octo/hello ",
    ])
      expect(parseRepoUrl(url, GITHUB)).toEqual({
        ok: true,
        repo: { owner: "octo", repo: "hello" },
      });
    expect(parseRepoUrl("https://github.com/octo/hello/tree/feature/x", GITHUB)).toEqual({
      ok: true,
      repo: { owner: "octo", repo: "hello" },
      ref: "feature/x",
    });
  });

  it.each([
    ["http://github.com/o/r", "https://"],
    ["https://127.0.0.1/o/r", "repository on github.com"],
    ["https://[::1]/o/r", "repository on github.com"],
    ["https://github.com:8443/o/r", "repository on github.com"],
    ["https://api.github.com/repos/o/r", "repository on github.com"],
    ["file:///etc/passwd", "https://"],
    ["https://x:y@github.com/o/r", "credentials"],
    ["https://github.com/o/r?x=1", "query"],
    ["https://github.com/o", "must name a repository"],
    ["https://github.com/o/../../etc", "must name a repository"],
    ["https://github.com/o/r/issues/1", "must name a repository"],
    ["javascript:alert(1)", "https://"],
    ["https://github.com/o/r/tree/%E0%A4%A", "malformed branch"],
    ["https://github.com/o/r/tree/a..b", "invalid branch"],
    ["https://github.com/o/r/tree/a%2F..%2Fb", "invalid branch"],
    ["https://github.com/o/r/tree/-x", "invalid branch"],
    ["https://github.com/o/r/tree/a/.hidden", "invalid branch"],
    ["", "is not a URL"],
  ])("refuses %s", (url, reason) => {
    const parsed = parseRepoUrl(url, GITHUB);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it("knows the web host of GitHub Enterprise and of github.com", () => {
    expect(webHostOf("https://api.github.com")).toEqual(GITHUB);
    expect(webHostOf("http://127.0.0.1:8080/api/v3")).toEqual({
      host: "127.0.0.1:8080",
      protocol: "http",
    });
    const ghe = webHostOf("https://ghe.example.com/api/v3");
    expect(parseRepoUrl("https://ghe.example.com/o/r", ghe).ok).toBe(true);
    expect(parseRepoUrl("https://github.com/o/r", ghe).ok).toBe(false);
  });
});

describe("engine/whole-file", () => {
  it("turns a file into a diff that adds every line, CRLF and missing final newline included", () => {
    const file = asAddedFile("a.py", "x = 1\r\ny = 2");
    expect(file).toMatchObject({ status: "added", additions: 2 });
    const [hunk] = parsePatch(file.patch ?? "");
    expect(hunk?.lines.map((l) => [l.kind, l.newLine, l.text])).toEqual([
      ["add", 1, "x = 1"],
      ["add", 2, "y = 2"],
    ]);
    expect(asAddedFile("empty.py", "").patch).toBeUndefined();
    expect(asAddedFile("blank.py", "\n").additions).toBe(1);
  });
});

describe("assess/select-files", () => {
  const entry = (path: string, size = 100) => ({ path, size });

  it("keeps source and the top README, skips the rest with reasons, assignment language first", () => {
    const { selected, skipped } = selectFiles(
      [
        entry("web/app.ts"),
        entry("src/main.py"),
        entry("main.go"),
        entry("README.md"),
        entry("docs/guide.md"),
        entry("package-lock.json"),
        entry("node_modules/x/index.js"),
        entry("assets/logo.png"),
        entry(".idea/workspace.xml"),
        entry("data.csv"),
        entry("huge.py", 900_000),
        entry("empty.py", 0),
      ],
      { maxFiles: 10, maxFileBytes: 300_000, assignment: "Write it in Python." },
    );
    expect(selected.map((s) => s.path)).toEqual([
      "README.md",
      "src/main.py",
      "main.go",
      "web/app.ts",
    ]);
    expect(Object.fromEntries(skipped.map((s) => [s.path, s.reason]))).toEqual({
      "docs/guide.md": "not source code",
      "package-lock.json": "lockfile",
      "node_modules/x/index.js": "vendored",
      "assets/logo.png": "image or binary asset",
      ".idea/workspace.xml": "hidden or tool folder",
      "data.csv": "not source code",
      "huge.py": "too large (879 KB)",
      "empty.py": "empty",
    });
  });

  it("caps the number of files and lists the rest; without a named language the commonest leads", () => {
    const files = ["a.go", "b.go", "c.ts", "d.go"].map((p) => entry(p));
    const { selected, skipped } = selectFiles(files, {
      maxFiles: 2,
      maxFileBytes: 1_000,
      assignment: "Build a service.",
    });
    expect(selected.map((s) => s.path)).toEqual(["a.go", "b.go"]);
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      ["d.go", "file cap (2 files reviewed at most)"],
      ["c.ts", "file cap (2 files reviewed at most)"],
    ]);
  });
});

describe("assess/synthesis", () => {
  it("reads the verdict from prose, code fences and numbers as strings; refuses the rest", () => {
    const verdict = { rating: "7", rating_rationale: "Solid.", conclusion: "Hire." };
    expect(parseSynthesis(`Sure!\n\`\`\`json\n${JSON.stringify(verdict)}\n\`\`\``)).toEqual({
      ...verdict,
      rating: 7,
    });
    expect(parseSynthesis("no json here")).toBeUndefined();
    expect(
      parseSynthesis('{"rating": 11, "rating_rationale": "x", "conclusion": "y"}'),
    ).toBeUndefined();
    expect(parseSynthesis('{"rating": 5, "rating_rationale": ""}')).toBeUndefined();
    expect(parseSynthesis("{broken")).toBeUndefined();
  });

  it("bounds the findings it lists and names the level's expectations", () => {
    const findings = Array.from({ length: 100 }, (_, i) => ({
      path: "a.py",
      line: i + 1,
      severity: "warning" as const,
      category: "bug" as const,
      message: `problem ${i}\nsecond line`,
    }));
    const question = buildSynthesisQuestion({
      assignment: "Do X.",
      level: "junior",
      findings,
      filesReviewed: 3,
      filesSkipped: 1,
    });
    expect(question).toContain("junior level");
    expect(question).toContain("(and 20 more)");
    expect(question).not.toContain("second line");
  });

  it("reads levels in any case", () => {
    expect(["Junior", "MIDDLE", " senior "].map(parseLevel)).toEqual([
      "junior",
      "middle",
      "senior",
    ]);
    expect([undefined, 3, "lead", ""].map(parseLevel)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("api/api-keys", () => {
  it("accepts a listed key or one listed by hash, and nothing else", () => {
    const keys = createApiKeys([
      "first-key",
      "sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    ]);
    expect(keys.verify("Bearer first-key")).toMatch(/^[0-9a-f]{12}$/);
    expect(keys.verify("bearer password")).toBe("5e884898da28");
    expect(keys.verify("Bearer first-key ")).toBeDefined();
    for (const header of [
      undefined,
      "",
      "Bearer",
      "Basic first-key",
      "Bearer first-keyx",
      "first-key",
    ])
      expect(keys.verify(header)).toBeUndefined();
    expect(createApiKeys([]).enabled).toBe(false);
  });
});

describe("api/client-address", () => {
  const req = (remoteAddress: string, forwarded?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwarded ? { "x-forwarded-for": forwarded } : {},
    }) as unknown as IncomingMessage;

  it("counts a request by its socket unless the socket is a trusted proxy", () => {
    expect(clientAddress(req("::ffff:203.0.113.9", "198.51.100.1"), [])).toBe("203.0.113.9");
    expect(clientAddress(req("10.0.0.2", "198.51.100.1"), ["10.0.0.2"])).toBe("198.51.100.1");
  });

  it("takes the nearest forwarded address no trusted proxy owns, so a client cannot forge one", () => {
    const trusted = ["10.0.0.2", "10.0.0.3"];

    expect(clientAddress(req("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3"), trusted)).toBe(
      "198.51.100.1",
    );
    expect(clientAddress(req("10.0.0.2"), trusted)).toBe("10.0.0.2");
  });

  it("counts failed authentications per IPv4 address and per IPv6 /64, however the address is spelt", () => {
    const network = "2001:db8:1:2::/64";
    for (const address of [
      "2001:db8:1:2:3:4:5:6",
      "2001:0db8:0001:0002::9",
      "2001:db8:1:2::",
      "2001:DB8:1:2:ffff:ffff:ffff:ffff",
      "2001:db8:1:2::1%eth0",
      "2001:db8:1:2::192.0.2.1",
    ])
      expect(throttleKey(address)).toBe(network);
    expect(throttleKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(throttleKey("::1")).toBe("0:0:0:0::/64");
    expect(throttleKey("fe80::1")).toBe("fe80:0:0:0::/64");
    expect(throttleKey("203.0.113.9")).toBe("203.0.113.9");
    expect(throttleKey("unknown")).toBe("unknown");
  });
});
