import nock from "nock";
import { GITHUB } from "./github-nock.js";

/** The calculator repository most assessment tests read: a solution, a README, files to skip. */
export const CALCULATOR: Readonly<Record<string, string>> = {
  "README.md": "# Calculator\n\nRun `python calc.py`.\n",
  "calc.py": "def main():\n    expr = input()\n    print(eval(expr))\n\nmain()\n",
  "test_calc.py": "def test_nothing():\n    assert True\n",
  "package-lock.json": "{}\n",
  "logo.png": "PNG",
};

/**
 * GitHub serving the public repository `cand/calc` on `main` with `files` (by path), as an
 * assessment reads it: the installation look-up (the App installed on it or not), the repository,
 * its tree, and a blob for each file Critic reads (not lockfiles or images).
 */
export function repositoryMock(options: {
  installed: boolean;
  files?: Readonly<Record<string, string>>;
}) {
  const files = options.files ?? CALCULATOR;
  const scope = nock(GITHUB);
  if (options.installed) {
    scope.get("/repos/cand/calc/installation").reply(200, { id: 1 });
    scope.post("/app/installations/1/access_tokens").reply(201, {
      token: "ghs_installation_token_for_tests",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: {},
    });
  } else {
    scope.get("/repos/cand/calc/installation").reply(404, { message: "Not Found" });
  }
  scope.get("/repos/cand/calc").reply(200, { default_branch: "main", private: false });
  scope
    .get("/repos/cand/calc/git/trees/main")
    .query({ recursive: "1" })
    .reply(200, {
      sha: "t",
      truncated: false,
      tree: [
        ...Object.entries(files).map(([path, text], i) => ({
          path,
          type: "blob",
          sha: `sha${i}`,
          size: text.length,
        })),
        { path: "src", type: "tree", sha: "tree1" },
      ],
    });
  Object.entries(files).forEach(([path, text], i) => {
    if (path.endsWith(".json") || path.endsWith(".png")) return;
    scope
      .get(`/repos/cand/calc/git/blobs/sha${i}`)
      .reply(200, { content: Buffer.from(text).toString("base64"), encoding: "base64" });
  });
  return scope;
}
