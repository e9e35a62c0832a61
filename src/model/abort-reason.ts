/**
 * Why a running job was stopped, as a type: a newer push replaced it, or the process is shutting
 * down. Set as an AbortSignal's reason by the queues and read back by the job, never found by
 * searching an error's message. Checked by a brand, which survives duplicate module copies.
 */
export type AbortKind = "superseded" | "shutdown";

const BRAND = "criticAbortReason";

export type AbortReason = Error & { readonly [BRAND]: true; readonly kind: AbortKind };

export function abortReason(kind: AbortKind, detail: string): AbortReason {
  return Object.assign(new Error(`[critic] ${detail}`), { [BRAND]: true as const, kind });
}

/** The kind of an abort reason; undefined for any other value (a plain abort, a timeout). */
export function abortKindOf(reason: unknown): AbortKind | undefined {
  return typeof reason === "object" && reason !== null && BRAND in reason
    ? (reason as AbortReason).kind
    : undefined;
}
