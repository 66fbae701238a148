/**
 * The overview view: every node (live ones from the registry with their heartbeat figures, plus those
 * that stopped heartbeating recently), Redis health (one row per master on a Cluster), and totals.
 * Everything is read from Redis, so every node answers the same.
 */
import type { AdminNode, AdminOverview } from "../../shared/admin-api.ts";
import type { RedisClient } from "../redis/connection.ts";
import { redisHealth } from "./redis-health.ts";
import type { AdminReads } from "./sources.ts";

export interface OverviewDeps {
  /** The main Redis (a Cluster shows one health row per master). */
  redis: RedisClient;
  reads: AdminReads;
  nodeId: string;
  now: () => number;
}

/** Builds the overview from Redis. */
export async function buildOverview(d: OverviewDeps): Promise<AdminOverview> {
  const [live, dead, redis, queues, bans, offenders, activeMatches, uniques] = await Promise.all([
    d.reads.nodes.live(),
    d.reads.nodes.dead(),
    redisHealth(d.redis),
    d.reads.queues.sizes(),
    d.reads.abuse.bans(),
    d.reads.abuse.offenders(),
    d.reads.matches.active(0, 0),
    d.reads.analytics.uniquePlayersToday(),
  ]);
  const liveIds = new Set(live.map((n) => n.nodeId));
  const gone = dead.filter((n) => !liveIds.has(n.nodeId));
  const stat = (v: number) => (v > 0 ? v : null);
  const nodes: AdminNode[] = live.map((n) => ({
    nodeId: n.nodeId,
    alive: true,
    url: n.url,
    ccu: n.ccu,
    matches: n.matches,
    lagMs: n.lagMs,
    rssBytes: stat(n.rssBytes),
    cpuPercent: n.version ? n.cpuPercent : null,
    version: n.version || null,
    startedAt: n.startedAt,
    lastSeen: n.lastSeen,
    self: n.nodeId === d.nodeId,
  }));
  for (const n of gone) {
    nodes.push({ nodeId: n.nodeId, alive: false, url: "", ccu: 0, matches: 0, lagMs: 0, rssBytes: null, cpuPercent: null, version: null, startedAt: 0, lastSeen: n.lastSeen, self: false });
  }
  nodes.sort((a, b) => Number(b.alive) - Number(a.alive) || a.nodeId.localeCompare(b.nodeId));
  return {
    at: d.now(),
    nodes,
    redis,
    totals: {
      ccu: live.reduce((a, n) => a + n.ccu, 0),
      liveNodes: live.length,
      deadNodes: gone.length,
      activeMatches: activeMatches.total,
      queued: queues.reduce((a, q) => a + q.waiting, 0),
      bans: bans.length,
      offenders: offenders.length,
      uniquePlayersToday: uniques,
    },
  };
}
