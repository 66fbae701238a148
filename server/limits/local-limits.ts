/**
 * Budgets checked in this node's memory, for actions too cheap or too frequent to pay a Redis round trip
 * each (the round trip would be the very load the budget is there to cap):
 *
 * - `ping` (net:ping), per player: a player has one live socket cluster-wide, so this node holds its
 *   whole budget, as for game inputs (input-budget.ts).
 * - `bad_token`, per address: unknown or expired tokens (HTTP Bearer and socket handshakes). Once an
 *   address has spent it, every token it presents is refused before hashing or asking Redis, good or
 *   bad, until the budget refills. Per node: N nodes give an address N budgets, still a small constant.
 *
 * Their counts come from the same rules as the Redis budgets (RATE_LIMITS may override them).
 */
import { TokenBuckets } from "../core/token-buckets.ts";
import type { RuleSet } from "./rules.ts";

/** Actions budgeted locally rather than in Redis. */
export const LOCAL_ACTIONS: ReadonlySet<string> = new Set(["ping", "bad_token"]);

export class LocalLimits {
  private readonly buckets = new Map<string, TokenBuckets>();

  constructor(rules: RuleSet) {
    for (const action of LOCAL_ACTIONS) {
      const r = rules.get(action);
      this.buckets.set(action, new TokenBuckets({ ratePerSecond: r.count / (r.periodMs / 1000), burst: r.count }));
    }
  }

  private of(action: string): TokenBuckets {
    const b = this.buckets.get(action);
    if (!b) throw new Error(`"${action}" is not a local action`);
    return b;
  }

  /** Spends one of a subject's tokens for a local action. */
  take(action: string, subjectKey: string) {
    return this.of(action).take(subjectKey);
  }

  /** Whether the subject has a token left, without spending it. */
  peek(action: string, subjectKey: string) {
    return this.of(action).peek(subjectKey);
  }

  /** Forgets a subject's local budgets (admin reset). */
  forget(subjectKey: string): void {
    for (const b of this.buckets.values()) b.forget(subjectKey);
  }
}
