/**
 * Analytics for the dashboard: daily unique players (HyperLogLog, fed at each socket connect), daily
 * counters (matches applied are counted exactly once by the daily board step; the rest here), and
 * per-minute series with expiry: CCU (each node samples its own socket count; a minute's CCU is the sum
 * over nodes) and counters other modules report through `record(kind)` (matches started, queue joins).
 *
 * Counters are summed in memory and flushed every ANALYTICS_FLUSH_MS in one pipeline, so hot paths
 * (queue joins) cost no Redis round trip; a node that crashes loses at most one flush of counts.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { FastifyBaseLogger } from "fastify";
import type { Keys } from "../redis/keys.ts";
import { DAY_MS, dayOf, minuteOfDay } from "./periods.ts";

/** What other features may count, through the boards service: `boards.record("queueJoins")`. */
export type AnalyticsKind = "matchesStarted" | "queueJoins";
export const ANALYTICS_KINDS: readonly AnalyticsKind[] = ["matchesStarted", "queueJoins"];

export interface AnalyticsDeps {
  redis: RedisClient;
  keys: Keys;
  log: FastifyBaseLogger;
  now: () => number;
  nodeId: string;
  /** This node's live sockets (CCU sample). */
  sockets: () => number;
  retentionMs: number;
  seriesMs: number;
  flushMs: number;
}

export interface DailyStats {
  day: string;
  uniquePlayers: number;
  matches: number;
  matchesStarted: number;
  queueJoins: number;
}

export interface MinuteStats {
  /** Minute start, ISO 8601 (UTC). */
  at: string;
  ccu: number;
  matchesStarted: number;
  queueJoins: number;
}

export class Analytics {
  /** kind -> "day|minute" -> count not yet flushed. */
  private pending = new Map<AnalyticsKind, Map<string, number>>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly d: AnalyticsDeps) {}

  /** Counts one event (or n) in the current minute; flushed in the background. */
  record(kind: AnalyticsKind, n = 1): void {
    const t = this.d.now();
    const slot = `${dayOf(t)}|${minuteOfDay(t)}`;
    let m = this.pending.get(kind);
    if (!m) this.pending.set(kind, (m = new Map()));
    m.set(slot, (m.get(slot) ?? 0) + n);
  }

  /** Adds a player to today's unique players. */
  async recordUnique(playerId: string): Promise<void> {
    const { redis, keys, now, retentionMs } = this.d;
    const day = dayOf(now());
    const key = keys.analytics.uniques(day);
    await Promise.all([redis.pfadd(key, playerId), redis.pexpire(key, this.dayTtl(day, retentionMs))]);
  }

  /** Starts periodic flushes (counters and this node's CCU sample). */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.d.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Writes pending counts and the CCU sample of the current minute (one command per key, auto-pipelined). */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const { redis, keys, now, nodeId, retentionMs, seriesMs } = this.d;
    const pending = this.pending;
    this.pending = new Map();
    const t = now();
    const today = dayOf(t);
    const a = keys.analytics;
    // Each key lives on its own slot: plain commands, which ioredis sends together (auto-pipelining).
    const writes: Promise<unknown>[] = [];
    for (const [kind, slots] of pending) {
      for (const [slot, n] of slots) {
        const [day, minute] = slot.split("|") as [string, string];
        writes.push(redis.hincrby(a.series(kind, day), minute, n), redis.pexpire(a.series(kind, day), this.dayTtl(day, seriesMs)));
        writes.push(redis.hincrby(a.daily(day), kind, n), redis.pexpire(a.daily(day), this.dayTtl(day, retentionMs)));
      }
    }
    writes.push(redis.hset(a.ccu(today), `${minuteOfDay(t)}|${nodeId}`, this.d.sockets()), redis.pexpire(a.ccu(today), this.dayTtl(today, seriesMs)));
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === "rejected");
    if (failed) {
      const err = failed.reason as unknown;
      // Put the counts back: the next flush retries them.
      for (const [kind, slots] of pending) for (const [slot, n] of slots) {
        let m = this.pending.get(kind);
        if (!m) this.pending.set(kind, (m = new Map()));
        m.set(slot, (m.get(slot) ?? 0) + n);
      }
      this.d.log.warn({ err }, "analytics flush failed");
    }
  }

  /** TTL that keeps a day's key for `keepMs` after the day ends. */
  private dayTtl(day: string, keepMs: number): number {
    const end = Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
    return Math.max(1000, end + keepMs - this.d.now());
  }

  /** Daily figures of the last `days` days, newest first. */
  async daily(days: number): Promise<DailyStats[]> {
    const { redis, keys, now } = this.d;
    const t = now();
    const list = Array.from({ length: days }, (_, i) => dayOf(t - i * DAY_MS));
    return Promise.all(
      list.map(async (day) => {
        const [uniq, counters] = await Promise.all([redis.pfcount(keys.analytics.uniques(day)), redis.hgetall(keys.analytics.daily(day))]);
        return {
          day,
          uniquePlayers: uniq,
          matches: Number(counters.matches ?? 0),
          matchesStarted: Number(counters.matchesStarted ?? 0),
          queueJoins: Number(counters.queueJoins ?? 0),
        };
      }),
    );
  }

  /** Per-minute series of the last `minutes` minutes (oldest first), up to the current minute. */
  async minutes(minutes: number): Promise<MinuteStats[]> {
    const { redis, keys, now } = this.d;
    const t = Math.floor(now() / 60_000) * 60_000;
    const starts = Array.from({ length: minutes }, (_, i) => t - (minutes - 1 - i) * 60_000);
    const days = [...new Set(starts.map(dayOf))];
    const loaded = new Map<string, { ccu: Record<string, string>; series: Record<string, Record<string, string>> }>();
    await Promise.all(
      days.map(async (day) => {
        const [ccu, ...series] = await Promise.all([redis.hgetall(keys.analytics.ccu(day)), ...ANALYTICS_KINDS.map((k) => redis.hgetall(keys.analytics.series(k, day)))]);
        loaded.set(day, { ccu, series: Object.fromEntries(ANALYTICS_KINDS.map((k, i) => [k, series[i]!])) });
      }),
    );
    // CCU: sum the nodes' samples per minute.
    const ccuByDay = new Map<string, Map<string, number>>();
    for (const [day, l] of loaded) {
      const m = new Map<string, number>();
      for (const [field, v] of Object.entries(l.ccu)) {
        const minute = field.slice(0, field.indexOf("|"));
        m.set(minute, (m.get(minute) ?? 0) + Number(v));
      }
      ccuByDay.set(day, m);
    }
    return starts.map((s) => {
      const day = dayOf(s);
      const minute = String(minuteOfDay(s));
      const l = loaded.get(day)!;
      return {
        at: new Date(s).toISOString(),
        ccu: ccuByDay.get(day)!.get(minute) ?? 0,
        matchesStarted: Number(l.series.matchesStarted?.[minute] ?? 0),
        queueJoins: Number(l.series.queueJoins?.[minute] ?? 0),
      };
    });
  }
}
