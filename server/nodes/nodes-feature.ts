/**
 * Feature "nodes": this node's place in the cluster. Heartbeats its load into the registry every
 * HEARTBEAT_INTERVAL_MS (RSS, CPU, version, event-loop p99 and utilisation, and whether it is overloaded:
 * load-monitor.ts), keeps a cached view of the live nodes (for "is that host alive?" checks on hot-ish
 * paths), picks hosts for new matches (`pickHost`, called by the matchmaker: near the players, away from
 * overloaded nodes), owns the node's inbox channel, and serves GET /admin/api/nodes. Leaves the registry
 * at graceful stop.
 */
import type { FastifyInstance } from "fastify";
import { defineFeature, type Core } from "../core/feature.ts";
import { advertisedHost } from "../config.ts";
import { NodeInbox } from "./node-inbox.ts";
import { NodeRegistry, loadScore, type NodeInfo } from "./node-registry.ts";
import { ProcessStats } from "./process-stats.ts";
import { LoadMonitor } from "./load-monitor.ts";

export class Nodes {
  readonly registry: NodeRegistry;
  readonly inbox: NodeInbox;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | null = null;
  private load: LoadMonitor | null = null;
  private url = "";
  private live = new Map<string, NodeInfo>();
  /** Hosts this node picked recently, counted until their heartbeats can reflect them. */
  private recentPicks: { nodeId: string; at: number }[] = [];
  private hostedCount: () => number = () => 0;
  private stopped = false;
  private readonly proc = new ProcessStats();

  constructor(private readonly core: Core) {
    this.registry = new NodeRegistry(core.redis, core.keys, core.config.NODE_TTL_MS);
    this.inbox = new NodeInbox(core.nodeId, core.redis, core.keys, core.log, core.sharded, (reason) => core.metrics.inboxDropped.inc({ reason }));
    this.startedAt = core.now();
  }

  /** Overloaded (load-monitor.ts): no new matches here, new connections refused. False before start. */
  get overloaded(): boolean {
    return this.load?.overloaded ?? false;
  }

  /** Lets the match runtime report how many matches this node hosts (part of the heartbeat load). */
  reportHostedMatches(count: () => number): void {
    this.hostedCount = count;
  }

  async registerAdminRoutes(admin: FastifyInstance): Promise<void> {
    // The dashboard's node list: live nodes with their load, least loaded first.
    admin.get("/nodes", async () => {
      const nodes = await this.registry.list();
      nodes.sort((a, b) => loadScore(a) - loadScore(b) || a.nodeId.localeCompare(b.nodeId));
      return { nodes: nodes.map((n) => ({ ...n, load: Math.round(loadScore(n) * 100) / 100, self: n.nodeId === this.core.nodeId })) };
    });
  }

  async start(): Promise<void> {
    const addr = this.core.io.httpServer?.address();
    const port = typeof addr === "object" && addr ? addr.port : this.core.config.PORT;
    this.url = `http://${advertisedHost(this.core.config.HOST)}:${port}`;
    const c = this.core.config;
    this.load = new LoadMonitor({ loopP99Ms: c.OVERLOAD_LOOP_P99_MS, cpuPercent: c.OVERLOAD_CPU_PERCENT, enterMs: c.OVERLOAD_ENTER_MS, leaveMs: c.OVERLOAD_LEAVE_MS });
    await this.inbox.start(this.core.connect);
    // In the registry before start() returns: a node that answers is a node others may pick.
    await this.registry.revive(this.core.nodeId).catch(() => {});
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.core.config.HEARTBEAT_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.load?.stop();
    await this.inbox.stop();
    await this.registry.remove(this.core.nodeId).catch((err: unknown) => this.core.log.warn({ err }, "could not leave the node registry"));
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const was = this.overloaded;
    const load = this.load!.sample();
    const m = this.core.metrics;
    m.eventLoopP99.set(load.lagMs / 1000);
    m.eventLoopUtilization.set(load.elu);
    m.overloaded.set(load.overloaded ? 1 : 0);
    if (load.overloaded !== was) {
      const msg = load.overloaded ? "node overloaded: no new matches, new connections refused" : "node no longer overloaded: accepting again";
      this.core.log.warn({ lagMs: load.lagMs, cpuPercent: load.cpuPercent }, msg);
    }
    try {
      await this.registry.heartbeat(
        this.core.nodeId,
        {
          ccu: this.core.io.of("/").sockets.size,
          matches: this.hostedCount(),
          startedAt: this.startedAt,
          url: this.url,
          ...this.proc.sample(),
          lagMs: load.lagMs,
          cpuPercent: load.cpuPercent,
          elu: load.elu,
          full: load.overloaded,
        },
        this.core.now(),
      );
      if (this.stopped) return;
      await this.refresh();
    } catch (err) {
      this.core.log.warn({ err }, "heartbeat failed");
    }
  }

  private async refresh(): Promise<NodeInfo[]> {
    const nodes = await this.registry.list();
    this.live = new Map(nodes.map((n) => [n.nodeId, n]));
    return nodes;
  }

  /** Whether a node was live at the last heartbeat (cached; at most one heartbeat interval old). */
  isAlive(nodeId: string): boolean {
    return nodeId === this.core.nodeId ? !this.stopped : this.live.has(nodeId);
  }

  /** Number of live nodes at the last heartbeat (at least 1: this one). */
  liveCount(): number {
    return Math.max(1, this.live.size);
  }

  /**
   * The host of a new match: the least-loaded live node, where load counts down by HOST_LOCALITY_WEIGHT
   * times the share of the match's players connected to a node (`near`: each player's node), so a match
   * is hosted where its players are unless that node is much busier (its snapshots then need no Redis).
   * Overloaded nodes are left out while any other is open. Reads the registry fresh; matches this node
   * assigned since the chosen node's last heartbeat count against it, so a burst of matches spreads out
   * instead of piling onto whichever node looked idle a second ago. `exclude` leaves a node out ("" when
   * none is left).
   */
  async pickHost(opts?: { exclude?: string; near?: readonly string[] }): Promise<string> {
    const all = await this.refresh().catch(() => [...this.live.values()]);
    const listed = opts?.exclude ? all.filter((n) => n.nodeId !== opts.exclude) : all;
    const open = listed.filter((n) => !(n.nodeId === this.core.nodeId ? this.overloaded : n.full));
    const nodes = open.length ? open : listed;
    const near = opts?.near ?? [];
    const weight = this.core.config.HOST_LOCALITY_WEIGHT;
    const now = this.core.now();
    const horizon = this.core.config.HEARTBEAT_INTERVAL_MS * 2 + 500;
    this.recentPicks = this.recentPicks.filter((p) => now - p.at < horizon);
    if (nodes.length === 0) return opts?.exclude === this.core.nodeId ? "" : this.core.nodeId;
    let best: NodeInfo | null = null;
    let bestScore = Infinity;
    for (const n of nodes) {
      const pending = this.recentPicks.filter((p) => p.nodeId === n.nodeId && p.at >= n.lastSeen - 250).length;
      // A little noise so nodes picking at the same moment from the same view do not all choose alike.
      const share = near.length ? near.filter((id) => id === n.nodeId).length / near.length : 0;
      const score = loadScore({ ...n, matches: n.matches + pending }) - weight * share + Math.random() * 0.01;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    const chosen = best!.nodeId;
    this.recentPicks.push({ nodeId: chosen, at: now });
    return chosen;
  }
}

declare module "../core/feature.ts" {
  interface Services {
    nodes: Nodes;
  }
}

export const nodesFeature = defineFeature({
  name: "nodes",
  needs: [],
  create(core) {
    const nodes = new Nodes(core);
    return {
      service: nodes,
      registerAdminRoutes: (admin) => nodes.registerAdminRoutes(admin),
      start: () => nodes.start(),
      stop: () => nodes.stop(),
    };
  },
});
