/**
 * The cluster-wide rate limiter: one GCRA Lua call per check (`rateLimit-2.lua`), keyed by subject and
 * action, timed by the Redis clock, so every node shares one budget per player (or IP) and a player who
 * reconnects to another node finds the same budget there.
 *
 * A refused check also fills a small local deny cache: under GCRA a refusal can only turn into an
 * allowance by the passing of time (the TAT never moves back), so until `retryAfterMs` has elapsed
 * every node would refuse too. Answering those locally keeps a hammering client off Redis without
 * loosening the limit. The deadline is measured from just before the call was sent, so the cache never
 * refuses longer than Redis would.
 *
 * The same call checks the subject's ban first (BANNED is answered before any budget), and a ban seen
 * is remembered locally for up to BAN_RECHECK_MS, so a banned client hammering a node costs Redis one
 * call per few seconds; an operator's lift reaches every node within that time.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import type { RuleSet } from "./rules.ts";

export interface LimitDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise when one more request would be allowed. */
  retryAfterMs: number;
  /** Requests still allowed right now. */
  remaining: number;
  /** True when answered from the local deny cache (no Redis call). */
  cached: boolean;
  /** > 0 when the subject is banned (for that long); `allowed` is then false. */
  bannedMs: number;
}

export interface RateLimiterOptions {
  /** Answer repeat refusals locally until their retry time (default true). */
  denyCache?: boolean;
  /** Monotonic clock in ms; injectable for tests. */
  monotonic?: () => number;
}

/** Bound on the deny cache: subjects are real players and addresses, but an attack may bring many. */
const DENY_CACHE_MAX = 50_000;
/** Longest a ban is answered from memory before Redis is asked again (a lift on another node shows then). */
const BAN_RECHECK_MS = 5_000;

export class RateLimiter {
  private readonly deny = new Map<string, number>();
  /** subjectKey -> monotonic times its ban ends and Redis must be asked again. */
  private readonly bans = new Map<string, { endsAt: number; recheckAt: number }>();
  private readonly useCache: boolean;
  private readonly monotonic: () => number;

  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: Scripts,
    private readonly keys: Keys,
    readonly rules: RuleSet,
    opts: RateLimiterOptions = {},
  ) {
    this.useCache = opts.denyCache ?? true;
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /** Consumes `cost` from the subject's budget for an action (cost 0 only looks). */
  async check(subjectKey: string, action: string, cost = 1): Promise<LimitDecision> {
    const cacheKey = `${subjectKey}\u0000${action}`;
    const sentAt = this.monotonic();
    const banned = this.bannedLocally(subjectKey);
    if (banned > 0) return { allowed: false, retryAfterMs: banned, remaining: 0, cached: true, bannedMs: banned };
    if (this.useCache && cost > 0) {
      const until = this.deny.get(cacheKey);
      if (until !== undefined) {
        if (until > sentAt) return { allowed: false, retryAfterMs: Math.ceil(until - sentAt), remaining: 0, cached: true, bannedMs: 0 };
        this.deny.delete(cacheKey);
      }
    }
    const rule = this.rules.get(action);
    const [allowed, retryAfterMs, remaining, , bannedMs] = await this.scripts.run(
      "rateLimit",
      [this.keys.limits.rate(subjectKey, action), this.keys.limits.ban(subjectKey)],
      [rule.intervalUs, rule.count, cost],
      this.redis,
    );
    if (bannedMs > 0) {
      this.rememberBan(subjectKey, bannedMs, sentAt);
      return { allowed: false, retryAfterMs: bannedMs, remaining: 0, cached: false, bannedMs };
    }
    if (allowed === 1) return { allowed: true, retryAfterMs: 0, remaining, cached: false, bannedMs: 0 };
    // retryAfterMs is rounded up by the script; the cache stays on the safe side by a fraction of a ms
    // at worst, and then simply asks Redis again.
    if (this.useCache && cost > 0) this.remember(cacheKey, sentAt + retryAfterMs - 1);
    return { allowed: false, retryAfterMs, remaining: 0, cached: false, bannedMs: 0 };
  }

  /** Ms left of a ban this node has seen for the subject (0 when none). */
  bannedLocally(subjectKey: string): number {
    const ban = this.bans.get(subjectKey);
    if (ban === undefined) return 0;
    const now = this.monotonic();
    if (now < ban.recheckAt && now < ban.endsAt) return Math.ceil(ban.endsAt - now);
    this.bans.delete(subjectKey);
    return 0;
  }

  /** Remembers a ban seen in Redis (or issued here) until it ends, measured from `seenAt` (monotonic). */
  rememberBan(subjectKey: string, remainingMs: number, seenAt = this.monotonic()): void {
    if (!this.useCache || remainingMs <= 0) return;
    if (this.bans.size >= DENY_CACHE_MAX) this.bans.clear();
    this.bans.set(subjectKey, { endsAt: seenAt + remainingMs - 1, recheckAt: seenAt + BAN_RECHECK_MS });
  }

  private remember(cacheKey: string, until: number): void {
    if (this.deny.size >= DENY_CACHE_MAX) {
      const now = this.monotonic();
      for (const [k, u] of this.deny) if (u <= now) this.deny.delete(k);
      if (this.deny.size >= DENY_CACHE_MAX) this.deny.clear();
    }
    this.deny.set(cacheKey, until);
  }

  /** Forgets cached refusals and bans of a subject on this node (after an admin reset). */
  forget(subjectKey: string): void {
    this.bans.delete(subjectKey);
    for (const k of this.deny.keys()) if (k.startsWith(`${subjectKey}\u0000`)) this.deny.delete(k);
  }
}
