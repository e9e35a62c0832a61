import { LRUCache } from "lru-cache";
import type { ReadInstructions } from "./instruction-files.js";

/**
 * Repository instruction files by repository and base commit, in this process: a commit's files
 * never change, so a second review on the same base reads none of them again (only the AGENTS.md
 * of folders the first did not ask about).
 */
export type InstructionCache = {
  cachedInstructions(repo: string, oid: string): ReadInstructions | undefined;
  remember(repo: string, read: ReadInstructions): void;
};

/** Bounded by the size of the texts it holds (32 MB by default), least recently used first out. */
export function createInstructionCache(options: { maxBytes?: number } = {}): InstructionCache {
  const lru = new LRUCache<string, ReadInstructions>({
    maxSize: options.maxBytes ?? 32 * 1024 * 1024,
    sizeCalculation: (read) =>
      Math.max(
        1,
        read.files.reduce((sum, f) => sum + f.text.length * 2 + f.path.length * 2, 0) +
          [...read.asked].reduce((sum, p) => sum + p.length * 2, 0),
      ),
  });
  const key = (repo: string, oid: string) => `${repo.toLowerCase()}@${oid}`;
  return {
    cachedInstructions: (repo, oid) => lru.get(key(repo, oid)),
    remember: (repo, read) => {
      lru.set(key(repo, read.oid), read);
    },
  };
}
