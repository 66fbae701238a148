/**
 * The node registry in Redis: every node heartbeats its load into a hash with a TTL (`keys.nodes.node(id)`) and
 * its id into a sorted set (`keys.nodes.registry`, id -> last heartbeat ms) used to enumerate. The hash's TTL, kept
 * by Redis's own clock, is what decides "alive", so clock skew between machines cannot resurrect or kill a
 * node; the set only lists candidates and is pruned of members whose hash is gone.
 */
import type { RedisClient } from "../redis/connection.ts";
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
  /** Resident set size, bytes (0: not reported). */
  rssBytes?: number;
  /** CPU use since the previous heartbeat, percent of one core. */
  cpuPercent?: number;
  /** Package and Node.js versions ("": not reported). */
  version?: string;
  /** Event-loop utilisation over the last heartbeat interval, 0..1. */
  elu?: number;
  /** Overloaded: takes no new matches and refuses new connections (load-monitor.ts). */
  full?: boolean;
}

/** A node that stopped heartbeating without leaving (killed, hung, partitioned). */
export interface DeadNode {
  nodeId: string;
  /** Wall-clock ms of its last heartbeat. */
  lastSeen: number;
}

/** How long a node that stopped heartbeating stays listed as dead (for operators). */
export const DEAD_NODE_KEEP_MS = 15 * 60_000;

export interface NodeInfo extends Required<NodeLoad> {
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
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly nodeTtlMs: number,
  ) {}

  /**
   * Writes one heartbeat: load hash (TTL = node TTL), set membership, and prunes long-dead members. Two
   * transactions, one per slot (the node's hash and the registry set), sent together.
   */
  async heartbeat(nodeId: string, load: NodeLoad, now: number): Promise<void> {
    const key = this.k.node(nodeId);
    const set = this.k.registry;
    const results = await Promise.all([
      this.redis
        .multi()
        .hset(key, {
          ccu: String(load.ccu),
          matches: String(load.matches),
          lagMs: String(load.lagMs),
          startedAt: String(load.startedAt),
          url: load.url,
          rss: String(load.rssBytes ?? 0),
          cpu: String(load.cpuPercent ?? 0),
          version: load.version ?? "",
          elu: String(load.elu ?? 0),
          full: load.full ? "1" : "0",
          lastSeen: String(now),
        })
        .pexpire(key, this.nodeTtlMs)
        .exec(),
      this.redis
        .multi()
        .zadd(set, now, nodeId)
        // Members silent for several TTLs are certainly dead whatever the clocks say; list() prunes the rest.
        .zremrangebyscore(set, "-inf", now - this.nodeTtlMs * 4)
        // The set lives as long as some node heartbeats; a stopped cluster leaves nothing behind.
        .pexpire(set, this.nodeTtlMs * 4)
        .exec(),
    ]);
    for (const res of results) {
      const failed = res?.find(([err]) => err);
      if (failed) throw failed[0];
    }
  }

  private get k() {
    return this.keys.nodes;
  }

  /** Live nodes with their load (a node is live while its heartbeat hash exists). */
  async list(): Promise<NodeInfo[]> {
    const flat = await this.redis.zrange(this.k.registry, "0", "-1", "WITHSCORES");
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i]!);
      scores.push(Number(flat[i + 1]));
    }
    if (ids.length === 0) return [];
    // One command per node (each hash on its own slot), auto-pipelined.
    const res = await Promise.all(ids.map((id) => this.redis.hgetall(this.k.node(id)).catch(() => null)));
    const out: NodeInfo[] = [];
    const dead: DeadNode[] = [];
    ids.forEach((nodeId, i) => {
      const hash = res[i] ?? null;
      if (!hash || hash.lastSeen === undefined) {
        dead.push({ nodeId, lastSeen: scores[i]! });
        return;
      }
      out.push({
        nodeId,
        ccu: Number(hash.ccu) || 0,
        matches: Number(hash.matches) || 0,
        lagMs: Number(hash.lagMs) || 0,
        startedAt: Number(hash.startedAt) || 0,
        url: hash.url ?? "",
        rssBytes: Number(hash.rss) || 0,
        cpuPercent: Number(hash.cpu) || 0,
        version: hash.version ?? "",
        elu: Number(hash.elu) || 0,
        full: hash.full === "1",
        lastSeen: Number(hash.lastSeen) || 0,
      });
    });
    if (dead.length) await Promise.all(dead.map((d) => this.bury(d)));
    return out;
  }

  /**
   * Moves a node whose heartbeat hash expired from the registry to the dead list. Only the caller whose
   * ZREM removed it writes the entry; a graceful `remove` takes the node out of the registry before its
   * hash, so a node that left is never listed as dead.
   */
  private async bury(d: DeadNode): Promise<void> {
    if ((await this.redis.zrem(this.k.registry, d.nodeId)) !== 1) return;
    await this.redis
      .multi()
      .zadd(this.k.dead, d.lastSeen, d.nodeId)
      .zremrangebyscore(this.k.dead, "-inf", d.lastSeen - DEAD_NODE_KEEP_MS)
      .pexpire(this.k.dead, DEAD_NODE_KEEP_MS)
      .exec();
  }

  /** Nodes that stopped heartbeating in the last DEAD_NODE_KEEP_MS, most recent first. */
  async recentlyDead(now: number): Promise<DeadNode[]> {
    const flat = await this.redis.zrange(this.k.dead, "+inf", String(now - DEAD_NODE_KEEP_MS), "BYSCORE", "REV", "WITHSCORES");
    const out: DeadNode[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ nodeId: flat[i]!, lastSeen: Number(flat[i + 1]) });
    return out;
  }

  /** A node (re)joining is not dead any more (a node restarted under the same id). */
  async revive(nodeId: string): Promise<void> {
    await this.redis.zrem(this.k.dead, nodeId);
  }

  /** Whether each node is live right now (its heartbeat hash exists), read fresh from Redis. */
  async alive(nodeIds: readonly string[]): Promise<boolean[]> {
    return Promise.all(nodeIds.map((id) => this.redis.exists(this.k.node(id)).then((n) => n === 1, () => false)));
  }

  /** Removes a node at graceful stop, so nobody picks it as a host in the meantime. */
  async remove(nodeId: string): Promise<void> {
    // The registry entry first: a concurrent list() that then finds the hash gone must not bury the node.
    await this.redis.zrem(this.k.registry, nodeId);
    await Promise.all([this.redis.del(this.k.node(nodeId)), this.redis.zrem(this.k.dead, nodeId)]);
  }
}
