import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { AssessmentResult, Progress } from "./assess-repository.js";
import type { CandidateLevel } from "./synthesis.js";

export type AssessmentRequest = {
  assignment_description: string;
  github_repo_url: string;
  candidate_level: CandidateLevel;
  ref?: string | undefined;
};

export type AssessmentRecord = {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  request: AssessmentRequest;
  progress: Progress;
  result?: AssessmentResult | undefined;
  error?: string | undefined;
  /** Runs started; a job a restart interrupted twice is failed rather than tried forever. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
};

/**
 * Where assessments live: in Critic's database when there is one (see src/store/assessment-table.ts),
 * else on disk, or in Redis when processes share work and have no database.
 */
export type AssessmentStore = {
  put(record: AssessmentRecord): Promise<void>;
  get(id: string): Promise<AssessmentRecord | undefined>;
  /** Queued or running records, oldest first. */
  unfinished(): Promise<AssessmentRecord[]>;
  /**
   * Takes a record for `owner` for `ttlMs` (Redis: one process of many); false when another
   * owner holds it. The holder calls it again to renew; `release` lets go when the job ends.
   */
  claim(id: string, owner: string, ttlMs: number): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  /** Deletes finished records last updated before `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
};

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// What is read back is checked for shape only: the record was written by Critic itself.
const Stored = z.looseObject({ id: z.string(), status: z.string(), createdAt: z.string() });

export function isAssessmentId(id: string): boolean {
  return ID.test(id);
}

/** A record as a store wrote it (JSON), checked for shape; undefined when unreadable. */
export function readAssessmentRecord(
  text: string | null | undefined,
): AssessmentRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = Stored.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as unknown as AssessmentRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One JSON file per assessment under `<dir>/assessments`, replaced atomically (write, then
 * rename), so a crash mid-write leaves the previous version, never half a file.
 */
export function createDiskStore(dir: string): AssessmentStore {
  const folder = join(dir, "assessments");
  const ready = mkdir(folder, { recursive: true });
  const fileOf = (id: string) => join(folder, `${id}.json`);
  const readRecord = async (path: string) => {
    try {
      const parsed = Stored.safeParse(JSON.parse(await readFile(path, "utf8")));
      return parsed.success ? (parsed.data as unknown as AssessmentRecord) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async put(record) {
      await ready;
      const temp = `${fileOf(record.id)}.${randomUUID()}.tmp`;
      await writeFile(temp, JSON.stringify(record));
      await rename(temp, fileOf(record.id));
    },
    async get(id) {
      if (!isAssessmentId(id)) return undefined;
      await ready;
      return readRecord(fileOf(id));
    },
    async unfinished() {
      await ready;
      const names = (await readdir(folder)).filter((n) => n.endsWith(".json"));
      const records = await Promise.all(names.map((n) => readRecord(join(folder, n))));
      return records
        .filter((r): r is AssessmentRecord => r?.status === "queued" || r?.status === "running")
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    // One process owns its data directory.
    claim: async () => true,
    release: async () => {},
    async prune(before) {
      await ready;
      const names = (await readdir(folder)).filter((n) => n.endsWith(".json"));
      let removed = 0;
      for (const name of names) {
        const record = await readRecord(join(folder, name));
        const finished = record?.status === "done" || record?.status === "failed";
        if (!record || !finished || Date.parse(record.updatedAt) >= before) continue;
        await rm(join(folder, name), { force: true });
        removed++;
      }
      return removed;
    },
  };
}

const CLAIM = `local holder = redis.call("GET", KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 1
end
return 0`;
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
return 0`;

/** Records as JSON strings that expire `retentionMs` after their last change, plus a set of the unfinished ones. */
export function createRedisStore(
  redis: Redis,
  prefix: string,
  retentionMs = 7 * 86_400_000,
): AssessmentStore {
  const keepSeconds = Math.max(1, Math.round(retentionMs / 1000));
  const key = (id: string) => `${prefix}:assessment:${id}`;
  const open = `${prefix}:assessments:unfinished`;
  const parse = (text: string | null) => {
    if (!text) return undefined;
    try {
      const parsed = Stored.safeParse(JSON.parse(text));
      return parsed.success ? (parsed.data as unknown as AssessmentRecord) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async put(record) {
      const finished = record.status === "done" || record.status === "failed";
      const tx = redis.multi().set(key(record.id), JSON.stringify(record), "EX", keepSeconds);
      if (finished) tx.srem(open, record.id);
      else tx.sadd(open, record.id);
      await tx.exec();
    },
    async get(id) {
      return isAssessmentId(id) ? parse(await redis.get(key(id))) : undefined;
    },
    async unfinished() {
      const ids = await redis.smembers(open);
      const records = await Promise.all(ids.map(async (id) => parse(await redis.get(key(id)))));
      return records
        .filter((r): r is AssessmentRecord => r?.status === "queued" || r?.status === "running")
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    async claim(id, owner, ttlMs) {
      // Take a free claim, or extend one this owner already holds, atomically.
      const result = await redis.eval(CLAIM, 1, `${key(id)}:claim`, owner, String(ttlMs));
      return result === 1;
    },
    async release(id, owner) {
      await redis.eval(RELEASE, 1, `${key(id)}:claim`, owner);
    },
    // Records expire on their own (see put).
    prune: async () => 0,
  };
}
