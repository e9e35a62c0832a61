declare const SANITIZED: unique symbol;

/**
 * A value that passed the engine's sanitize stage: the operator's own secrets and every credential
 * the scanner recognises are replaced, in its text and in its file paths. The model port accepts
 * only sanitized requests, so a road that forgets to sanitize does not compile. Only the functions
 * in this folder make one; a spread or a rebuilt object loses the brand and must be sanitized again.
 */
export type Sanitized<T> = T & { readonly [SANITIZED]: true };

/** Marks a value as sanitized. Callers in this folder only (the lint boundary enforces it). */
export function markSanitized<T>(value: T): Sanitized<T> {
  return value as Sanitized<T>;
}
