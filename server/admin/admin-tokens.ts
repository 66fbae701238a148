/**
 * Admin tokens: ADMIN_TOKEN (label "admin") plus ADMIN_TOKENS (`label:token,...`). A presented token is
 * compared with every configured one in constant time (SHA-256 digests of equal length, timingSafeEqual,
 * no early exit), so neither the match nor which label matched leaks through timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s).digest();

export class AdminTokens {
  private readonly entries: { label: string; digest: Buffer }[];

  constructor(single: string | undefined, labelled: Readonly<Record<string, string>> | undefined) {
    this.entries = [];
    if (single) this.entries.push({ label: "admin", digest: digest(single) });
    for (const [label, token] of Object.entries(labelled ?? {})) this.entries.push({ label, digest: digest(token) });
  }

  /** Whether any admin token is configured (without one the admin area does not exist). */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** The label of the token, or null when it matches none. */
  verify(token: string): string | null {
    const d = digest(token);
    let found: string | null = null;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && found === null) found = e.label;
    return found;
  }
}
