import { closeSync, linkSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";

/** Lock files this process holds: a second opener in the same process is refused too. */
const held = new Set<string>();

/** The embedded database is owned by another process (or another store in this one). */
export class StoreLockedError extends Error {
  override readonly name = "StoreLockedError";
}

type Owner = { pid: number; host: string; since: string };

/**
 * Takes `path` for this process: the file is created only if absent and holds the owner's pid,
 * host and start time. A file left by a process that is gone (its pid is not running on this
 * host, or is this process's own pid but not held by it: a container restarted as pid 1) is
 * taken over. Returns the release, which removes the file.
 */
export function acquireFileLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      claim(path);
      held.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(path);
    if (owner && isAlive(owner, path)) {
      const where = owner.host === hostname() ? "" : ` on ${owner.host}`;
      throw new StoreLockedError(
        `${what} is in use by process ${owner.pid}${where} (since ${owner.since}): one process owns an embedded database at a time. Stop that process, or set DATABASE_URL to a PostgreSQL database that every Critic process shares. If that process is gone, delete ${path}.`,
      );
    }
    // Stale: its owner is gone. Remove it and try once more (another starter may win the race).
    rmSync(path, { force: true });
  }
  throw new StoreLockedError(`${what} is being opened by another process at the same moment`);
}

/**
 * Writes the owner record whole under a name private to this process, then links it to `path`: the link
 * fails if `path` exists, and a reader never sees a half-written record.
 */
function claim(path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readOwner(path: string): Owner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Owner>;
    if (typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? "?") };
  } catch {
    // Unreadable or half-written: a process died while creating it.
    return undefined;
  }
}

function isAlive(owner: Owner, path: string): boolean {
  // Another host's process cannot be checked from here: believe the file.
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return held.has(path);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
