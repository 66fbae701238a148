/** Display-name rules, shared so the client can check before sending. */
export const NAME_MAX_CHARS = 20;
// Letters, combining marks and digits of any script, plus space, underscore and hyphen.
const NAME_RE = /^[\p{L}\p{M}\p{N} _-]+$/u;

/** Returns the normalized name, or null when it breaks the rules (1-20 characters after trimming). */
export function normalizeName(raw: string): string | null {
  const name = raw.normalize("NFC").trim().replace(/ {2,}/g, " ");
  const chars = Array.from(name).length;
  if (chars < 1 || chars > NAME_MAX_CHARS) return null;
  return NAME_RE.test(name) ? name : null;
}
