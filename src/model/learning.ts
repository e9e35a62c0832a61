/** What Critic was taught about a repository (or a whole organisation), as data. */

/** A repository's own learning, or one an organisation owner made for every repository of it. */
export type LearningScope = "repository" | "organisation";

export type Learning = {
  id: number;
  scope: LearningScope;
  /** The account's login, lower-cased. */
  owner: string;
  /** The repository's name, lower-cased; undefined for an organisation-wide learning. */
  repo: string | undefined;
  /** A glob the learning is limited to (`src/legacy/**`); undefined: every file. */
  path: string | undefined;
  /**
   * Taught by a reply to one of Critic's comments: the finding's rule (a static rule id, or
   * "model"), its category and its fingerprint. Undefined for free text (`/learn`).
   */
  rule: string | undefined;
  category: string | undefined;
  fingerprint: string | undefined;
  /** The file of the comment the reply answered. */
  commentPath: string | undefined;
  /** The reason or the guidance, redacted and bounded. */
  text: string;
  createdBy: string;
  /** Epoch ms. */
  createdAt: number;
};

export type NewLearning = Omit<Learning, "id" | "createdAt">;
