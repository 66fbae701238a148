/**
 * Escalation: violations (refused requests, invalid payloads, input floods) add to a decaying score per
 * player, or per IP for anonymous requests, in Redis (`abuseRecord-3.lua`); at the threshold the script
 * sets a temporary ban
 * (a key with a TTL), which every node checks at login and handshake. The score leaks linearly, so an
 * honest client that trips a limit now and then never gets near the threshold. An address with players
 * in good standing is never banned automatically (see standing.ts).
 *
 * Violations are summed locally and flushed in one script call per subject every FLUSH_MS: a flood of
 * refused requests costs Redis a handful of calls, not one per request.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { FastifyBaseLogger } from "fastify";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import type { Metrics } from "../metrics.ts";
import { Counter } from "prom-client";
import { parseSubjectKey, type Subject } from "./subject.ts";
import type { RefusalFeed } from "./refusal-feed.ts";

export interface AbuseSettings {
  playerThreshold: number;
  ipThreshold: number;
  banMs: number;
  /** Score units per second; the same for players and IPs. */
  decayPerSecond: number;
  /** An address a player in good standing connected from within this window is not banned automatically (0 = off). */
  goodWindowMs: number;
}

export interface BanInfo {
  subject: string;
  kind: Subject["kind"];
  id: string;
  reason: string;
  remainingMs: number;
}

export interface OffenderInfo {
  subject: string;
  kind: Subject["kind"];
  id: string;
  /** Score now (decayed). */
  score: number;
  threshold: number;
  lastViolationAt: number;
}

/** Why a violation was recorded (a metrics label, and the ban reason when it tips over). */
export type ViolationReason = "rate_limited" | "invalid_payload" | "unknown_event" | "input_flood" | "bad_admin_token";

interface Pending {
  subject: Subject;
  weight: number;
  reason: ViolationReason;
  /** Violations folded in, and what the last one refused (e.g. the rate-limited action). */
  count: number;
  detail: string;
  /** Where a player's violation came from (its address, for ban evasion: see standing.ts). */
  ip?: string;
}

/** What a violation may say besides its weight and reason. */
export interface ViolationExtra {
  /** What was refused (e.g. the rate-limited action), for the admin feed. */
  detail?: string;
  /** Where a player's violation came from. */
  ip?: string;
}

const FLUSH_MS = 100;
const REASON_MAX = 200;

export class AbuseTracker {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly heldBack: Counter;

  constructor(
    private readonly redis: RedisClient,
    private readonly scripts: Scripts,
    private readonly keys: Keys,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
    readonly settings: AbuseSettings,
    /** Told about every ban this node issues (to disconnect the subject's sockets cluster-wide); `ip`: where a player's offence came from. */
    private readonly onBanned: (subject: Subject, reason: string, remainingMs: number, ip?: string) => Promise<void> | void,
    /** Where each flushed subject's violations are listed for the admin view (none: not listed). */
    private readonly feed?: RefusalFeed,
  ) {
    const name = "arena_bans_held_back_total";
    this.heldBack =
      (metrics.registry.getSingleMetric(name) as Counter | undefined) ??
      new Counter({ name, help: "Automatic address bans not issued because players in good standing use the address", registers: [metrics.registry] });
  }

  /** Queues violation weight for subjects; flushed to Redis shortly. */
  record(subjects: Subject[], weight: number, reason: ViolationReason, extra: ViolationExtra = {}): void {
    if (weight <= 0 || subjects.length === 0) return;
    this.metrics.violations.inc({ reason }, weight);
    for (const subject of subjects) {
      const entry = this.pending.get(subject.key);
      if (entry) {
        entry.weight += weight;
        entry.count++;
        entry.detail = extra.detail || entry.detail;
        entry.ip = extra.ip ?? entry.ip;
      } else this.pending.set(subject.key, { subject, weight, reason, count: 1, detail: extra.detail ?? "", ip: extra.ip });
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes queued violations now (also called by the timer and at stop). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return this.flushing;
    // Chained so two flushes never interleave (tests and stop() await the latest).
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Pending[]): Promise<void> {
    const { decayPerSecond, banMs } = this.settings;
    await Promise.all(
      batch.map(async ({ subject, weight, reason, count, detail, ip }) => {
        try {
          const [score, banRemaining, newlyBanned, nowMs, vouched] = await this.scripts.run(
            "abuseRecord",
            this.scriptKeys(subject),
            [weight, decayPerSecond, this.thresholdOf(subject), banMs, reason, this.goodWindowOf(subject)],
            this.redis,
          );
          await this.touchOffenders(subject, nowMs);
          if (vouched === 1) this.heldBack.inc();
          if (newlyBanned === 1) await this.banned(subject, reason, banRemaining, nowMs, ip);
          await this.feed?.add({ at: nowMs, subject: subject.key, kind: subject.kind, reason, detail, count, score: Number(score), banned: newlyBanned === 1 });
        } catch (err) {
          this.log.error({ err, subject: subject.key }, "recording a violation failed");
        }
      }),
    );
  }

  private scriptKeys(subject: Subject): [string, string, string] {
    return [this.keys.limits.violations(subject.key), this.keys.limits.ban(subject.key), this.keys.limits.goodStanding(subject.key)];
  }

  /** Only addresses are protected by players in good standing. */
  private goodWindowOf(subject: Subject): number {
    return subject.kind === "ip" ? this.settings.goodWindowMs : 0;
  }

  private thresholdOf(subject: Subject): number {
    return subject.kind === "player" ? this.settings.playerThreshold : this.settings.ipThreshold;
  }

  /** Longest time a score can take to decay to zero: entries older than this in the index are stale. */
  private get decayWindowMs(): number {
    return Math.ceil((Math.max(this.settings.playerThreshold, this.settings.ipThreshold) / this.settings.decayPerSecond) * 1000);
  }

  private async touchOffenders(subject: Subject, nowMs: number): Promise<void> {
    const window = this.decayWindowMs;
    await this.redis
      .multi()
      .zadd(this.keys.limits.offenders, nowMs, subject.key)
      .zremrangebyscore(this.keys.limits.offenders, "-inf", nowMs - window)
      .pexpire(this.keys.limits.offenders, window)
      .exec();
  }

  private async banned(subject: Subject, reason: string, remainingMs: number, nowMs: number, ip?: string): Promise<void> {
    this.metrics.bans.inc({ kind: subject.kind });
    this.log.warn({ subject: subject.key, reason, remainingMs }, "temporary ban");
    await this.index(subject, nowMs + remainingMs);
    // Not awaited: reaching the sockets asks every node (up to the adapter's timeout when one is slow),
    // and later violations must not queue behind it.
    void Promise.resolve(this.onBanned(subject, reason, remainingMs, ip)).catch((err: unknown) => this.log.error({ err, subject: subject.key }, "kicking a banned subject failed"));
  }

  /** Adds a ban to the admin index; the index expires with its longest ban (NX sets, GT extends). */
  private async index(subject: Subject, untilMs: number): Promise<void> {
    const ttl = Math.max(1, untilMs - Date.now());
    await this.redis
      .multi()
      .zadd(this.keys.limits.bans, untilMs, subject.key)
      .pexpire(this.keys.limits.bans, ttl, "NX")
      .pexpire(this.keys.limits.bans, ttl, "GT")
      .exec();
  }

  /** Remaining ban time (ms) of the first banned subject; 0 when none is banned. */
  async bannedFor(subjects: Subject[]): Promise<number> {
    return Math.max(0, ...(await this.banTimes(subjects)));
  }

  /** Remaining ban time (ms) of each subject, in order (0 when not banned). */
  async banTimes(subjects: Subject[]): Promise<number[]> {
    const ttls = await Promise.all(subjects.map((s) => this.redis.pttl(this.keys.limits.ban(s.key))));
    return ttls.map((t) => Math.max(0, t));
  }

  /** Bans a subject by hand (admin), replacing any ban it has; its score restarts from zero. */
  async ban(subject: Subject, seconds: number, reason: string): Promise<void> {
    const ms = seconds * 1000;
    await this.redis.multi().set(this.keys.limits.ban(subject.key), reason.slice(0, REASON_MAX), "PX", ms).del(this.keys.limits.violations(subject.key)).exec();
    await this.index(subject, Date.now() + ms);
    this.metrics.bans.inc({ kind: subject.kind });
    // The ban holds whether or not every node answers: a socket missed here is refused at its next handshake.
    await Promise.resolve(this.onBanned(subject, reason, ms)).catch((err: unknown) => this.log.error({ err, subject: subject.key }, "kicking a banned subject failed"));
  }

  /** Lifts a ban and clears the score (otherwise the next slip would ban again at once); false when none. */
  async lift(subject: Subject): Promise<boolean> {
    const res = await this.redis.multi().del(this.keys.limits.ban(subject.key)).del(this.keys.limits.violations(subject.key)).exec();
    await this.redis.zrem(this.keys.limits.bans, subject.key);
    return Number(res?.[0]?.[1] ?? 0) > 0;
  }

  /** A subject's ban (reason and time left), or null when it is not banned. */
  async banOf(subject: Subject): Promise<{ reason: string; remainingMs: number } | null> {
    const key = this.keys.limits.ban(subject.key);
    const [reason, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return reason !== null && ttl > 0 ? { reason, remainingMs: ttl } : null;
  }

  /** Current bans, longest first, read from the index and confirmed by each ban key's TTL. */
  async listBans(): Promise<BanInfo[]> {
    // The index is pruned with this node's clock; that is only housekeeping, PTTL below is the truth.
    await this.redis.zremrangebyscore(this.keys.limits.bans, "-inf", Date.now() - 1000);
    const members = await this.redis.zrange(this.keys.limits.bans, 0, "-1");
    const rows = await Promise.all(
      members.map(async (key) => {
        const subject = parseSubjectKey(key);
        if (!subject) return null;
        const [reason, ttl] = await Promise.all([this.redis.get(this.keys.limits.ban(key)), this.redis.pttl(this.keys.limits.ban(key))]);
        if (reason === null || ttl <= 0) return null;
        return { subject: key, kind: subject.kind, id: subject.id, reason, remainingMs: ttl } satisfies BanInfo;
      }),
    );
    return rows.filter((r): r is BanInfo => r !== null).sort((a, b) => b.remainingMs - a.remainingMs);
  }

  /** Subjects with a violation score above zero, highest first (at most `limit`). */
  async listOffenders(limit = 100): Promise<OffenderInfo[]> {
    const members = await this.redis.zrange(this.keys.limits.offenders, 0, String(limit * 2 - 1), "REV");
    const lastAt = members.length ? await this.redis.zmscore(this.keys.limits.offenders, ...members) : [];
    const rows: OffenderInfo[] = [];
    await Promise.all(
      members.map(async (key, i) => {
        const subject = parseSubjectKey(key);
        if (!subject) return;
        // Weight 0 reads the decayed score with the Redis clock, without writing.
        const [score] = await this.scripts.run("abuseRecord", this.scriptKeys(subject), [0, this.settings.decayPerSecond, this.thresholdOf(subject), this.settings.banMs, "", 0], this.redis);
        const value = Number(score);
        if (value > 0) rows.push({ subject: key, kind: subject.kind, id: subject.id, score: value, threshold: this.thresholdOf(subject), lastViolationAt: Number(lastAt[i]) });
      }),
    );
    return rows.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** Stops the timer and writes what is queued. */
  async stop(): Promise<void> {
    await this.flush();
  }
}
