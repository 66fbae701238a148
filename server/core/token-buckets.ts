/**
 * Token buckets in this process's memory, one per key (an address, a player): for budgets that must
 * cost nothing to check (socket handshakes, pings, bad tokens), where a Redis round trip per check
 * would be the very load the budget is there to prevent. Per node: N nodes behind a balancer give N
 * budgets, which the defaults allow for.
 *
 * The map is bounded: when it is full, buckets that have refilled (they hold no information) go first,
 * then the whole map is cleared: forgetting is the safe direction (a client gets a fresh budget).
 */

export interface BucketRule {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens held (the burst). */
  burst: number;
}

export interface TakeResult {
  ok: boolean;
  /** When refused: ms until one token is back. */
  retryAfterMs: number;
}

const DEFAULT_MAX_KEYS = 100_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private refill(key: string): { tokens: number; at: number } {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.prune();
      b = { tokens: this.rule.burst, at: t };
      this.buckets.set(key, b);
      return b;
    }
    b.tokens = Math.min(this.rule.burst, b.tokens + (Math.max(0, t - b.at) / 1000) * this.rule.ratePerSecond);
    b.at = Math.max(b.at, t);
    return b;
  }

  /** Spends one token of `key`'s bucket (or says how long until one is back). */
  take(key: string): TakeResult {
    const b = this.refill(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / this.rule.ratePerSecond) * 1000) };
  }

  /** Whether `key` has a token left, without spending it. */
  peek(key: string): TakeResult {
    const b = this.refill(key);
    return b.tokens >= 1 ? { ok: true, retryAfterMs: 0 } : { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) / this.rule.ratePerSecond) * 1000) };
  }

  /** Drops a key's bucket (its budget is full again). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(): void {
    const t = this.now();
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.rule.ratePerSecond >= this.rule.burst) this.buckets.delete(k);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}
