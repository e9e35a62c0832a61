import type {
  SubmissionKind,
  SubmissionStatus,
  SubmissionSummary,
  SubmissionView,
} from "./console-api-types.js";

/** A console submission as it is kept: in Critic's database when it has one, else in memory. */
export type SubmissionRecord = {
  id: string;
  /** Whose it is: a GitHub login (lower-cased), or `operator`. */
  owner: string;
  kind: SubmissionKind;
  title: string;
  status: SubmissionStatus;
  rating: number | null;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /** Assignments: the assessment that runs it. */
  assessmentId?: string;
  file?: { filename: string; language: string; content: string };
  result?: SubmissionView["result"];
  error?: string;
};

export type SubmissionStore = {
  put(record: SubmissionRecord): Promise<void>;
  get(id: string): Promise<SubmissionRecord | undefined>;
  /** The owner's newest first, at most `limit`. */
  list(owner: string, limit: number): Promise<SubmissionSummary[]>;
  /** Deletes records created before `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
};

export function summaryOf(record: SubmissionRecord): SubmissionSummary {
  return {
    id: record.id,
    kind: record.kind,
    title: record.title,
    status: record.status,
    created_at: new Date(record.createdAt).toISOString(),
    rating: record.rating,
  };
}

// Without a database: the newest records in memory, bounded in number and in the size of the
// files they keep.
const MAX_IN_MEMORY = 500;
const MAX_IN_MEMORY_BYTES = 64 * 1024 * 1024;

/** Submissions kept in this process's memory (no database): bounded, gone at restart. */
export function createMemorySubmissions(): SubmissionStore {
  const records = new Map<string, SubmissionRecord>();
  return {
    async put(record) {
      records.delete(record.id);
      records.set(record.id, structuredClone(record));
      let bytes = 0;
      for (const kept of records.values()) bytes += kept.file?.content.length ?? 0;
      for (const [id, oldest] of records) {
        if (records.size <= MAX_IN_MEMORY && bytes <= MAX_IN_MEMORY_BYTES) break;
        if (id === record.id) break;
        bytes -= oldest.file?.content.length ?? 0;
        records.delete(id);
      }
    },
    async get(id) {
      const record = records.get(id);
      return record ? structuredClone(record) : undefined;
    },
    async list(owner, limit) {
      return [...records.values()]
        .filter((r) => r.owner === owner)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit)
        .map(summaryOf);
    },
    async prune(before) {
      let deleted = 0;
      for (const [id, record] of records)
        if (record.createdAt < before) {
          records.delete(id);
          deleted++;
        }
      return deleted;
    },
  };
}
