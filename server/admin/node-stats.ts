/**
 * This node's process stats for the dashboard (RSS, CPU, version), written beside the registry's
 * heartbeat every HEARTBEAT_INTERVAL_MS, and the "seen" set that lets the dashboard flag a node that
 * stopped heartbeating (the registry forgets a dead node at once; ops at 3 a.m. want to see it died).
 * Candidates to fold into the nodes feature's heartbeat once it owns these fields.
 */
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import type { FastifyBaseLogger } from "fastify";
import type { AdminKeys } from "./admin-keys.ts";

/** How long a node that stopped heartbeating stays listed as dead. */
export const DEAD_NODE_KEEP_MS = 15 * 60_000;

const PACKAGE_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
})();

/** "<package version> / <node version>". */
export const NODE_VERSION = `${PACKAGE_VERSION} / ${process.version}`;

export interface ProcStats {
  rssBytes: number;
  cpuPercent: number;
  version: string;
}

export class NodeStats {
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly d: { redis: Redis; keys: AdminKeys; nodeId: string; intervalMs: number; nodeTtlMs: number; now: () => number; log: FastifyBaseLogger },
  ) {}

  start(): void {
    const beat = () => {
      if (!this.stopped) this.writing = this.write();
    };
    beat();
    this.timer = setInterval(beat, this.d.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A graceful stop is not a death: leave no trace that would flag this node as dead (after the last
    // write in flight, which would otherwise put it back).
    await this.writing;
    await this.d.redis.multi().del(this.d.keys.proc(this.d.nodeId)).zrem(this.d.keys.nodesSeen, this.d.nodeId).exec().catch(() => {});
  }

  /** CPU over the time since the last sample, percent of one core. */
  private sample(): ProcStats {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const wallUs = Math.max(1, (at - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    return { rssBytes: process.memoryUsage.rss(), cpuPercent: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10, version: NODE_VERSION };
  }

  private async write(): Promise<void> {
    const s = this.sample();
    const { redis, keys, nodeId, nodeTtlMs, now } = this.d;
    const t = now();
    try {
      await redis
        .multi()
        .hset(keys.proc(nodeId), { rss: String(s.rssBytes), cpu: String(s.cpuPercent), version: s.version, at: String(t) })
        .pexpire(keys.proc(nodeId), nodeTtlMs * 4)
        .zadd(keys.nodesSeen, "GT", t, nodeId)
        .zremrangebyscore(keys.nodesSeen, "-inf", t - DEAD_NODE_KEEP_MS)
        .pexpire(keys.nodesSeen, DEAD_NODE_KEEP_MS)
        .exec();
    } catch (err) {
      this.d.log.debug({ err }, "node stats not written");
    }
  }
}

/** Reads the stats of some nodes (null where a node wrote none) and the seen set (nodeId -> last seen). */
export async function readNodeStats(redis: Redis, keys: AdminKeys, nodeIds: readonly string[]): Promise<{ stats: (ProcStats | null)[]; seen: Map<string, number> }> {
  const [seenFlat, ...hashes] = await Promise.all([redis.zrange(keys.nodesSeen, 0, "-1", "WITHSCORES"), ...nodeIds.map((id) => redis.hgetall(keys.proc(id)))]);
  const seen = new Map<string, number>();
  for (let i = 0; i + 1 < seenFlat.length; i += 2) seen.set(seenFlat[i]!, Number(seenFlat[i + 1]));
  const stats = hashes.map((h) => (h && h.rss !== undefined ? { rssBytes: Number(h.rss), cpuPercent: Number(h.cpu), version: h.version ?? "" } : null));
  return { stats, seen };
}
