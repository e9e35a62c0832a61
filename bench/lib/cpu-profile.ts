import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};

/**
 * The functions that used the most CPU (self time) in the `.cpuprofile` files that
 * `node --cpu-prof --cpu-prof-dir=<dir>` wrote, as "share of busy time, function (file:line)".
 */
export function topFunctions(dir: string, count = 8): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, name), "utf8")) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      // Shares of the time the process was busy: waiting is not what a profile is read for.
      if (functionName === "(idle)" || functionName === "(program)") continue;
      total += hits;
      const file = url
        .replace(/^.*\/node_modules\//, "")
        .replace(/^.*\/dist\//, "dist/")
        .replace(/^file:\/\//, "");
      const key = `${functionName || "(anonymous)"} (${file || "native"}:${lineNumber + 1})`;
      self.set(key, (self.get(key) ?? 0) + hits);
    }
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, hits]) => `${((100 * hits) / Math.max(1, total)).toFixed(1)} % ${key}`);
}
