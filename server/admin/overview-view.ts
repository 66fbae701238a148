/**
 * The overview view: every node (live ones from the registry, plus recently dead ones from the seen set),
 * Redis health, and totals. Everything is read from Redis, so every node answers the same.
 */
import type { Redis, Cluster } from "ioredis";
import type { AdminNode, AdminOverview } from "../../shared/admin-api.ts";
import type { AdminKeys } from "./admin-keys.ts";
import { readNodeStats } from "./node-stats.ts";
import { redisHealth } from "./redis-health.ts";
import type { AdminReads } from "./sources.ts";

export interface OverviewDeps {
  redis: Redis;
  /** Client whose masters' health is shown (the main Redis; a Cluster shows one row per master). */
  healthClient: Redis | Cluster;
  keys: AdminKeys;
  reads: AdminReads;
  nodeId: string;
  now: () => number;
}

/** Builds the overview from Redis. */
export async function buildOverview(d: OverviewDeps): Promise<AdminOverview> {
  const [live, redis, queues, bans, offenders, activeMatches, uniques] = await Promise.all([
    d.reads.nodes.live(),
    redisHealth(d.healthClient),
    d.reads.queues.sizes(),
    d.reads.abuse.bans(),
    d.reads.abuse.offenders(),
    d.reads.matches.active(0, 0),
    d.reads.analytics.uniquePlayersToday(),
  ]);
  const liveIds = new Set(live.map((n) => n.nodeId));
  const { seen } = await readNodeStats(d.redis, d.keys, []);
  const deadIds = [...seen.keys()].filter((id) => !liveIds.has(id));
  const ids = [...live.map((n) => n.nodeId), ...deadIds];
  const { stats } = await readNodeStats(d.redis, d.keys, ids);
  const nodes: AdminNode[] = live.map((n, i) => ({
    nodeId: n.nodeId,
    alive: true,
    url: n.url,
    ccu: n.ccu,
    matches: n.matches,
    lagMs: n.lagMs,
    rssBytes: stats[i]?.rssBytes ?? null,
    cpuPercent: stats[i]?.cpuPercent ?? null,
    version: stats[i]?.version ?? null,
    startedAt: n.startedAt,
    lastSeen: n.lastSeen,
    self: n.nodeId === d.nodeId,
  }));
  deadIds.forEach((nodeId, j) => {
    const s = stats[live.length + j];
    nodes.push({ nodeId, alive: false, url: "", ccu: 0, matches: 0, lagMs: 0, rssBytes: s?.rssBytes ?? null, cpuPercent: null, version: s?.version ?? null, startedAt: 0, lastSeen: seen.get(nodeId) ?? 0, self: false });
  });
  nodes.sort((a, b) => Number(b.alive) - Number(a.alive) || a.nodeId.localeCompare(b.nodeId));
  return {
    at: d.now(),
    nodes,
    redis,
    totals: {
      ccu: live.reduce((a, n) => a + n.ccu, 0),
      liveNodes: live.length,
      deadNodes: deadIds.length,
      activeMatches: activeMatches.total,
      queued: queues.reduce((a, q) => a + q.waiting, 0),
      bans: bans.length,
      offenders: offenders.length,
      uniquePlayersToday: uniques,
    },
  };
}
