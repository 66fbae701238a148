/**
 * Applies match results exactly once, as a chain of per-slot idempotent steps (Redis Cluster safe: no
 * script touches two hash slots):
 *
 *   1. plan     {res:<matchId>}        SET NX GET of the frozen plan (first delivery wins; see result-plan.ts)
 *   2. boards   {alltime:all}          boardApply: points, tie order, marker = applied set (bucket: match day)
 *               {daily:<day>}          boardApply: same, + `matches` of the day's counters (same slot)
 *               {weekly:<week>}        boardApply: same
 *   3. players  {<playerId>} each      playerApply: stats + rating delta, marker = the player's applied set
 *
 * Each step checks and sets its own marker atomically with its effect, so re-running any subset of steps
 * (redelivery, a reclaimed entry half applied by a dead consumer, a duplicate append) changes nothing that
 * was already done and completes what was not. The consumer XACKs only after every step succeeded.
 *
 * Markers expire (memory): a plan and the all-time/player markers live RESULTS_MAX_AGE + 1 day; period
 * markers live as long as their board. A result whose plan no longer exists is applied only if it ended
 * less than RESULTS_MAX_AGE ago, so any delivery that is applied finds the markers of an earlier one.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { expectOk } from "../redis/script-codes.ts";
import type { PlayerStore } from "../players/player-store.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import type { MatchResult } from "./match-result.ts";
import { ALLTIME_INSTANCE, DAY_MS, PERIODS, boardTtlMs, instanceEnd, type PeriodGrace } from "./periods.ts";
import { buildPlan, parseEntry, type ResultPlan } from "./result-plan.ts";

/** Entries at or above this board position count as "the top" that subscribers watch. */
export const TOP_WATCHED = 10;
/** Entries in the cached top page (board-reader.ts); a write landing among them drops the cache. */
export const CACHED_TOP = 100;

export interface ApplierConfig extends PeriodGrace {
  /** Results that ended longer ago than this (and have no plan yet) are not applied. */
  maxAgeMs: number;
  /** Lifetime of plans and of the all-time and player markers: maxAgeMs plus a day of margin. */
  markerTtlMs: number;
  /** Lifetime of the daily counters after their day ends. */
  analyticsRetentionMs: number;
}

export interface ApplierDeps {
  redis: RedisClient;
  keys: Keys;
  scripts: Scripts;
  players: PlayerStore;
  now: () => number;
  config: ApplierConfig;
}

export interface ApplyOutcome {
  /** Ids of entries the consumer may XACK now: applied, already applied, too old, or unreadable. */
  ackIds: string[];
  /** Matches applied for the first time (counted at the all-time step). */
  applied: number;
  /** Deliveries of matches already applied (duplicates, redeliveries). */
  duplicates: number;
  stale: number;
  invalid: { id: string; reason: string }[];
  /** Periods whose top 10 may have changed. */
  topChanged: Set<LeaderboardPeriod>;
}

/** Builds the marker TTL from the accepted age of a result (one day of margin for clocks and slow steps). */
export function applierConfig(c: { RESULTS_MAX_AGE_SECONDS: number; BOARDS_DAILY_GRACE_DAYS: number; BOARDS_WEEKLY_GRACE_WEEKS: number; ANALYTICS_RETENTION_DAYS: number }): ApplierConfig {
  return {
    maxAgeMs: c.RESULTS_MAX_AGE_SECONDS * 1000,
    markerTtlMs: c.RESULTS_MAX_AGE_SECONDS * 1000 + DAY_MS,
    dailyGraceMs: c.BOARDS_DAILY_GRACE_DAYS * DAY_MS,
    weeklyGraceMs: c.BOARDS_WEEKLY_GRACE_WEEKS * 7 * DAY_MS,
    analyticsRetentionMs: c.ANALYTICS_RETENTION_DAYS * DAY_MS,
  };
}

/** The board instance of a plan for one period. */
export function planInstance(plan: ResultPlan, period: LeaderboardPeriod): string {
  return period === "daily" ? plan.day : period === "weekly" ? plan.week : ALLTIME_INSTANCE;
}

export class ResultApplier {
  constructor(private readonly deps: ApplierDeps) {}

  /** Applies a batch of stream entries (every step, every result) and says which entries may be acked. */
  async applyEntries(entries: readonly { id: string; fields: string[] | null }[]): Promise<ApplyOutcome> {
    const out: ApplyOutcome = { ackIds: [], applied: 0, duplicates: 0, stale: 0, invalid: [], topChanged: new Set() };
    const results: MatchResult[] = [];
    const idsByMatch = new Map<string, string[]>();
    for (const e of entries) {
      const parsed = parseEntry(e.id, e.fields);
      if ("invalid" in parsed) {
        out.invalid.push({ id: e.id, reason: parsed.invalid });
        out.ackIds.push(e.id);
        continue;
      }
      const ids = idsByMatch.get(parsed.result.matchId);
      if (ids) {
        // The same match twice in one batch: one apply; the copy is a duplicate.
        ids.push(e.id);
        out.duplicates++;
      } else {
        idsByMatch.set(parsed.result.matchId, [e.id]);
        results.push(parsed.result);
      }
    }
    const plans = await this.plan(results);
    const live: ResultPlan[] = [];
    for (const r of results) {
      const plan = plans.get(r.matchId);
      if (plan) live.push(plan);
      else out.stale++;
    }
    const [boards] = await Promise.all([this.applyBoards(live), this.applyPlayers(live)]);
    out.applied = boards.applied;
    out.duplicates += boards.skipped;
    out.topChanged = boards.topChanged;
    for (const ids of idsByMatch.values()) out.ackIds.push(...ids);
    return out;
  }

  /**
   * Step 1: the frozen plan of each result (null: too old to apply and never planned). Ratings are read
   * outside any script (they live on other slots); two consumers racing agree through SET NX GET.
   */
  async plan(results: readonly MatchResult[]): Promise<Map<string, ResultPlan | null>> {
    const { redis, keys, players, now, config } = this.deps;
    const out = new Map<string, ResultPlan | null>();
    const stored = await Promise.all(results.map((r) => redis.get(keys.boards.plan(r.matchId))));
    const fresh: MatchResult[] = [];
    results.forEach((r, i) => {
      const s = stored[i];
      if (s) out.set(r.matchId, JSON.parse(s) as ResultPlan);
      else if (r.endedAt < now() - config.maxAgeMs) out.set(r.matchId, null);
      else fresh.push(r);
    });
    const ratings = await Promise.all(fresh.map((r) => Promise.all(r.players.map((p) => players.rating(p.playerId)))));
    await Promise.all(
      fresh.map(async (r, i) => {
        const plan = buildPlan(r, ratings[i]!);
        const earlier = (await redis.call("SET", keys.boards.plan(r.matchId), JSON.stringify(plan), "NX", "GET", "PX", String(config.markerTtlMs))) as string | null;
        out.set(r.matchId, earlier ? (JSON.parse(earlier) as ResultPlan) : plan);
      }),
    );
    return out;
  }

  /** Step 2: one boardApply per board slot for the whole batch (each match applied once per board). */
  async applyBoards(plans: readonly ResultPlan[], periods: readonly LeaderboardPeriod[] = PERIODS): Promise<{ applied: number; skipped: number; topChanged: Set<LeaderboardPeriod> }> {
    const { scripts, now, config } = this.deps;
    const keys = this.deps.keys.boards;
    const daily = this.deps.keys.analytics.daily;
    const t = now();
    interface Group {
      period: LeaderboardPeriod;
      keys: [string, string, string, string, string, string, string];
      ttls: [number, number, number];
      matches: number;
      args: (string | number)[];
    }
    const groups = new Map<string, Group>();
    for (const plan of plans) {
      for (const period of periods) {
        const instance = planInstance(plan, period);
        const ttl = boardTtlMs(period, instance, t, config);
        // The instance is past its archive: nobody can read it any more; do not resurrect it.
        if (ttl < 0) continue;
        const applied = period === "alltime" ? keys.applied(period, instance, plan.day) : keys.applied(period, instance);
        const groupKey = `${period}|${applied}`;
        let g = groups.get(groupKey);
        if (!g) {
          const counters = period === "daily" ? daily(instance) : keys.meta(period, instance);
          const countersTtl = period === "daily" ? Math.max(ttl, instanceEnd(period, instance)! + config.analyticsRetentionMs - t) : ttl;
          g = {
            period,
            keys: [keys.board(period, instance), keys.members(period, instance), applied, keys.version(period, instance), counters, keys.topCache(period, instance), keys.topGen(period, instance)],
            ttls: [ttl, period === "alltime" ? config.markerTtlMs : ttl, countersTtl],
            matches: 0,
            args: [],
          };
          groups.set(groupKey, g);
        }
        g.matches++;
        g.args.push(plan.matchId, plan.endedAt, plan.players.length);
        for (const p of plan.players) g.args.push(p.id, p.points, p.placement);
      }
    }
    const res = { applied: 0, skipped: 0, topChanged: new Set<LeaderboardPeriod>() };
    await Promise.all(
      [...groups.values()].map(async (g) => {
        const reply = expectOk(await scripts.run("boardApply", g.keys, [...g.ttls, TOP_WATCHED, CACHED_TOP, g.matches, ...g.args]), "boardApply");
        const [newly, skipped, top] = reply;
        if (g.period === "alltime") {
          res.applied += newly;
          res.skipped += skipped;
        }
        if (top) res.topChanged.add(g.period);
      }),
    );
    return res;
  }

  /** Step 3: one playerApply per player per match (stats and rating; each once per match). */
  async applyPlayers(plans: readonly ResultPlan[], only?: (playerId: string) => boolean): Promise<number> {
    const { players, config } = this.deps;
    const applied = await Promise.all(
      plans.flatMap((plan) =>
        plan.players
          .filter((p) => !only || only(p.id))
          .map((p) =>
            players.applyResult(p.id, {
              matchId: plan.matchId,
              day: plan.day,
              markerTtlMs: config.markerTtlMs,
              points: p.points,
              win: p.win,
              ratingDelta: p.delta,
              name: p.name,
              endedAt: plan.endedAt,
            }),
          ),
      ),
    );
    return applied.filter(Boolean).length;
  }
}
