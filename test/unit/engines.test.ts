import { existsSync, readFileSync } from "node:fs";
import { subset } from "semver";
import { describe, expect, it } from "vitest";

const ours = (JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } })
  .engines.node;
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
};

describe("the Node versions README promises", () => {
  it("are the ones package.json declares", () => {
    expect(ours).toBe(">=20.19.0 <21 || >=22.13.0 <23 || >=24");
    expect(readFileSync("README.md", "utf8")).toContain("Node.js 20.19+, 22.13+ or 24");
  });

  it("are accepted by every installed dependency's engines (no EBADENGINE on npm ci)", () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Platform builds for other machines are not installed, so npm does not check them here.
      if (!path || !existsSync(path)) continue;
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (node && !subset(ours, node)) refused.push(`${path} wants node ${node}`);
    }
    expect(refused).toEqual([]);
  });
});
