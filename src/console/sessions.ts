import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";

export type Session = {
  readonly id: string;
  readonly kind: "github" | "operator";
  /** A GitHub login, or `operator` for an API-key sign-in. */
  readonly login: string;
  /**
   * Whose submissions are theirs: `github:<user id>` (a login can be renamed and taken by someone
   * else; the id cannot), or `key:<key id>` for an operator key.
   */
  readonly owner: string;
  readonly operator: boolean;
  /** Sent back by the page on every POST (`x-csrf-token`). */
  readonly csrf: string;
  /**
   * The person's GitHub token (the App's user-to-server token), kept in this process's memory
   * only: it re-reads what the person may see, and is never sent to the page or logged.
   */
  readonly token?: string;
  /** Installations of the App the person can see. */
  installations: number[];
  /** Repositories (`owner/repo`, lower-cased) the person can see through those installations. */
  repositories: string[];
  /** When `repositories` was last read (epoch ms). */
  readAt: number;
  /** When GitHub last answered that read (epoch ms): past a grace period without one, nothing is visible. */
  readOkAt: number;
  /** The read under way, so a page polling every second starts one at a time. */
  reading?: Promise<void> | undefined;
  readonly expiresAt: number;
};

export type NewSession = Omit<Session, "id" | "csrf" | "expiresAt" | "reading">;

export type SessionStore = {
  create(session: NewSession): Session;
  /** The live session with this id; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined;
  end(id: string): void;
};

// Enough for every person of a large organisation signed in at once; the oldest go first.
const MAX_SESSIONS = 10_000;
// One person's browsers and devices; a further sign-in ends their oldest session, so one account
// signing in over and over cannot push everyone else's sessions out.
const MAX_PER_OWNER = 5;

/** A random 256-bit token, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Sessions in this process's memory: a restart signs everybody out, and behind several receivers
 * the console is served by one (see README). Ids are random 256-bit tokens; a session lasts
 * `ttlMs` from sign-in, whatever its use.
 */
export function createSessionStore(options: { ttlMs: number; now: () => number }): SessionStore {
  const sessions = new LRUCache<string, Session>({ max: MAX_SESSIONS });
  const byOwner = new LRUCache<string, string[]>({ max: MAX_SESSIONS });
  return {
    create(session) {
      const created: Session = {
        ...session,
        id: randomToken(),
        csrf: randomToken(),
        expiresAt: options.now() + options.ttlMs,
      };
      const ids = (byOwner.get(created.owner) ?? []).filter((id) => sessions.has(id));
      ids.push(created.id);
      while (ids.length > MAX_PER_OWNER) sessions.delete(ids.shift() ?? "");
      byOwner.set(created.owner, ids);
      sessions.set(created.id, created);
      return created;
    },
    get(id) {
      if (!id || !/^[\w-]{43}$/.test(id)) return undefined;
      const session = sessions.get(id);
      if (!session) return undefined;
      if (session.expiresAt <= options.now()) {
        sessions.delete(id);
        return undefined;
      }
      return session;
    },
    end(id) {
      sessions.delete(id);
    },
  };
}
