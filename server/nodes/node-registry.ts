/**
 * The node registry in Redis: every node heartbeats its load into a hash with a TTL (`keys.node(id)`) and
 * its id into a sorted set (`keys.nodes`, id -> last heartbeat ms) used to enumerate. The hash's TTL, kept
 * by Redis's own clock, is what decides "alive", so clock skew between machines cannot resurrect or kill a
 * node; the set only lists candidates and is pruned of members whose hash is gone.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.ts";

/** What a node reports about itself at each heartbeat. */
export interface NodeLoad {
  /** Sockets connected to this node. */
  ccu: number;
  /** Matches this node hosts now. */
  matches: number;
  /** Event-loop delay p99 over the last heartbeat interval, ms. */
  lagMs: number;
  startedAt: number;
  /** Where this node listens (for operators; clients go through the load balancer). */
  url: string;
}

export interface NodeInfo extends NodeLoad {
  nodeId: string;
  /** Wall-clock ms of the last heartbeat, as the node saw it. */
  lastSeen: number;
}

/** One load figure per node, lower is better: matches dominate, CCU and event-loop lag break ties and warn. */
export function loadScore(n: Pick<NodeLoad, "ccu" | "matches" | "lagMs">): number {
  return n.matches + n.ccu / 100 + n.lagMs / 20;
}

export class NodeRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly nodeTtlMs: number,
  ) {}

  /** Writes one heartbeat: load hash (TTL = node TTL), set membership, and prunes long-dead members. */
  async heartbeat(nodeId: string, load: NodeLoad, now: number): Promise<void> {
    const key = this.keys.node(nodeId);
    const p = this.redis.pipeline();
    p.hset(key, {
      ccu: String(load.ccu),
      matches: String(load.matches),
      lagMs: String(load.lagMs),
      startedAt: String(load.startedAt),
      url: load.url,
      lastSeen: String(now),
    });
    p.pexpire(key, this.nodeTtlMs);
    p.zadd(this.keys.nodes, now, nodeId);
    // Members silent for several TTLs are certainly dead whatever the clocks say; list() prunes the rest.
    p.zremrangebyscore(this.keys.nodes, "-inf", now - this.nodeTtlMs * 4);
    // The set lives as long as some node heartbeats; a stopped cluster leaves nothing behind.
    p.pexpire(this.keys.nodes, this.nodeTtlMs * 4);
    const res = await p.exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Live nodes with their load (a node is live while its heartbeat hash exists). */
  async list(): Promise<NodeInfo[]> {
    const ids = await this.redis.zrange(this.keys.nodes, "0", "-1");
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.keys.node(id));
    const res = (await p.exec()) ?? [];
    const out: NodeInfo[] = [];
    const dead: string[] = [];
    ids.forEach((nodeId, i) => {
      const [err, h] = res[i] ?? [null, null];
      const hash = (err ? null : h) as Record<string, string> | null;
      if (!hash || hash.lastSeen === undefined) {
        dead.push(nodeId);
        return;
      }
      out.push({
        nodeId,
        ccu: Number(hash.ccu) || 0,
        matches: Number(hash.matches) || 0,
        lagMs: Number(hash.lagMs) || 0,
        startedAt: Number(hash.startedAt) || 0,
        url: hash.url ?? "",
        lastSeen: Number(hash.lastSeen) || 0,
      });
    });
    if (dead.length) await this.redis.zrem(this.keys.nodes, ...dead);
    return out;
  }

  /** Whether each node is live right now (its heartbeat hash exists), read fresh from Redis. */
  async alive(nodeIds: readonly string[]): Promise<boolean[]> {
    if (nodeIds.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of nodeIds) p.exists(this.keys.node(id));
    const res = (await p.exec()) ?? [];
    return nodeIds.map((_, i) => !res[i]?.[0] && res[i]?.[1] === 1);
  }

  /** Removes a node at graceful stop, so nobody picks it as a host in the meantime. */
  async remove(nodeId: string): Promise<void> {
    await this.redis.pipeline().zrem(this.keys.nodes, nodeId).del(this.keys.node(nodeId)).exec();
  }
}
