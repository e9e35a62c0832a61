import { readdirSync, readFileSync } from "node:fs";

/** The processes a process started, and theirs, from /proc (Linux). */
export function descendants(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const id of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" "))
        if (id.trim()) children.push(Number(id));
  } catch {
    // The process exited while it was read.
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

export type TreeMemory = {
  /** The process's resident memory plus its descendants' private memory, in MB. */
  mb: number;
  /** Every process's resident memory added up, in MB: shared pages counted once per process. */
  rssSumMb: number;
  /** How many descendants there were. */
  children: number;
};

/**
 * Memory of a process and everything it started. A child Node process's resident memory is
 * mostly the Node binary's pages, shared with its parent; its private memory (what it alone
 * holds: heap, native allocations, libraries only it loaded) is what it adds to the machine.
 */
export function treeMemory(pid: number): TreeMemory {
  const children = descendants(pid);
  let kb = field(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
  let rssKb = kb;
  for (const child of children) {
    try {
      const rollup = readFileSync(`/proc/${child}/smaps_rollup`, "utf8");
      kb += field(rollup, "Private_Clean") + field(rollup, "Private_Dirty");
      rssKb += field(rollup, "Rss");
    } catch {
      // It exited while it was read.
    }
  }
  return { mb: kb / 1024, rssSumMb: rssKb / 1024, children: children.length };
}

const field = (text: string, name: string) =>
  Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);

/**
 * CPU time (user + system, in ms) of a process and everything it started: its own, its live
 * descendants', and that of the children it has already waited for (Linux counts those in the
 * parent's `cutime`/`cstime`).
 */
export function treeCpuMs(pid: number): number {
  const ofProcess = (id: number) => {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime, stime, cutime, cstime; USER_HZ is 100 on every Linux Node supports.
      return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10;
    } catch {
      return 0;
    }
  };
  return descendants(pid).reduce((sum, child) => sum + ofProcess(child), ofProcess(pid));
}
