/**
 * The admin views as one service, shared by the HTTP routes and the /admin namespace's pushes: each
 * builds its answer from Redis (through the reads of sources.ts), never from this node's memory, except
 * the live snapshot of a match this node hosts.
 */
import { ABUSE_FEED_ROWS, type AbuseView, type AdminOverview, type AdminSeries, type AuditPage, type MatchDetail, type MatchList, type MatchmakingView } from "../../shared/admin-api.ts";
import type { AdminView, AdminViews } from "../../shared/admin-events.ts";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { AuditLog } from "./audit-log.ts";
import { buildOverview } from "./overview-view.ts";
import { buildMatchmaking } from "./matchmaking-view.ts";
import { buildMatchDetail, buildMatchList } from "./matches-view.ts";
import { readSeries } from "./series.ts";
import type { AdminReads } from "./sources.ts";

/** Minutes of refusals in the abuse view. */
const ABUSE_MINUTES = 30;
/** Matches in the pushed list (the HTTP route pages further). */
const PUSHED_MATCHES = 100;

export interface AdminServiceDeps {
  redis: RedisClient;
  keys: Keys;
  reads: AdminReads;
  audit: AuditLog;
  nodeId: string;
  now: () => number;
}

export class AdminService {
  constructor(private readonly d: AdminServiceDeps) {}

  get reads(): AdminReads {
    return this.d.reads;
  }

  overview(): Promise<AdminOverview> {
    return buildOverview({ redis: this.d.redis, reads: this.d.reads, nodeId: this.d.nodeId, now: this.d.now });
  }

  async series(minutes: number): Promise<AdminSeries> {
    return { minutes: await readSeries(this.d.redis, this.d.keys, await this.d.reads.analytics.minutes(minutes)) };
  }

  matchmaking(): Promise<MatchmakingView> {
    return buildMatchmaking(this.d.reads, this.d.now());
  }

  matches(offset: number, limit: number): Promise<MatchList> {
    return buildMatchList(this.d.reads, offset, limit, this.d.now());
  }

  match(matchId: string): Promise<MatchDetail | null> {
    return buildMatchDetail(this.d.reads, matchId);
  }

  async abuse(): Promise<AbuseView> {
    const zeros = Array.from({ length: ABUSE_MINUTES }, (_, i) => ({ t: Math.floor(this.d.now() / 60_000) * 60_000 - (ABUSE_MINUTES - 1 - i) * 60_000, ccu: 0, matchesStarted: 0, queueJoins: 0 }));
    const r = this.d.reads.abuse;
    const [offenders, bans, series, recent] = await Promise.all([r.offenders(), r.bans(), readSeries(this.d.redis, this.d.keys, zeros), r.recent(ABUSE_FEED_ROWS)]);
    return { at: this.d.now(), offenders, bans, refusals: series.map((p) => ({ t: p.t, rateLimited: p.rateLimited, violations: p.violations })), recent };
  }

  audit(count: number, before?: string): Promise<AuditPage> {
    return this.d.audit.page(count, before);
  }

  /** The data of one pushed view. */
  view(view: AdminView): Promise<AdminViews[AdminView]> {
    switch (view) {
      case "overview":
        return this.overview();
      case "series":
        return this.series(60);
      case "matchmaking":
        return this.matchmaking();
      case "matches":
        return this.matches(0, PUSHED_MATCHES);
      case "abuse":
        return this.abuse();
      case "audit":
        return this.audit(50);
    }
  }
}
