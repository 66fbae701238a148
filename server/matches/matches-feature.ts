/**
 * Feature "matches": the match runtime of one node and its part in the cluster. This file only wires the
 * parts together:
 * - match-scanner.ts: which matches this node hosts (its new ones, orphans of dead hosts: failover);
 * - lease-keeper.ts: the fenced host lease (renew, reclaim) and checkpoints;
 * - match-ender.ts: the end of a match (result once, `match:end` once, bookkeeping);
 * - player-attach.ts: players' sockets in and out of matches, reconnect within the grace;
 * - input-router.ts: inputs from any node to the host; tick-loop.ts + match-host.ts: the simulation.
 * - snapshot-delivery.ts: each snapshot encoded once, emitted locally to the host's own sockets, and sent
 *   to the other nodes that have players of the match in one inbox message per node and tick (not
 *   volatile: see `onTick`). A match whose players are all on its host never touches Redis.
 * One-shot events (start, resumed, end) go to every node as one inter-server message, and each node
 * delivers them to its own sockets, so no node depends on the order of two adapter channels.
 */
import Type from "typebox";
import { defineFeature, type Core, type FeatureInstance } from "../core/feature.ts";
import type { Nodes } from "../nodes/nodes-feature.ts";
import type { BoardsService } from "../boards/boards-feature.ts";
import type { PlayerStore } from "../players/player-store.ts";
import { loadScore } from "../nodes/node-registry.ts";
import { InputFrameSchema } from "../../shared/schemas.ts";
import type { MatchHostedNotice } from "../../shared/protocol.ts";
import { MatchHost } from "./match-host.ts";
import { MatchLeases } from "./match-leases.ts";
import { MatchStore } from "./match-store.ts";
import { matchLifetimeMs, type NewMatch } from "./match-record.ts";
import { HostedMatches } from "./hosted-matches.ts";
import { InputRouter, RoutedInputSchema, type RoutedInput } from "./input-router.ts";
import { TickLoop } from "./tick-loop.ts";
import { ThrottledLog } from "../http/throttled-log.ts";
import { LeaseKeeper } from "./lease-keeper.ts";
import { MatchEnder } from "./match-ender.ts";
import { MatchScanner, SCAN_INTERVAL_MS } from "./match-scanner.ts";
import { PlayerAttach } from "./player-attach.ts";
import { matchTimings, type MatchRuntime } from "./match-runtime.ts";
import { MatchControl, type MatchEndOutcome, type MatchHandOverOutcome } from "./match-control.ts";
import { MatchViews } from "./match-views.ts";
import { SnapshotDelivery } from "./snapshot-delivery.ts";

/** A cached host is re-read this often while inputs flow (heals a missed announcement). */
const HOST_REVALIDATE_MS = 2_000;
/** How long a graceful stop waits for ends in flight before handing the rest over. */
const STOP_SETTLE_MS = 2_000;

declare module "../nodes/node-inbox.ts" {
  interface InboxMessages {
    /** A batch of inputs for matches hosted by the receiving node. */
    in: { b: RoutedInput[] };
    /** A player of match `m` (index `i`) dropped: their avatar stops. */
    drop: { m: string; i: number };
    /** Take match `m` now (new match, or a hand-over at graceful stop). */
    host: { m: string };
  }
}

export interface MatchesService {
  /** Creates a match (record, active list, players' pointers); idempotent. The chosen host is nudged. */
  createMatch(m: NewMatch): Promise<void>;
  /** Asks a match's chosen host to take it now rather than at its next scan. */
  nudge(matchId: string, hostNodeId: string): void;
  /** Matches this node hosts now. */
  hostedCount(): number;
  /** The live host object of a match hosted here (tests, admin). */
  hosted(matchId: string): MatchHost | undefined;
  /** performance.now() at which this node's next tick is due (benchmarks place inputs on the tick grid). */
  nextTickAt(): number;
  readonly router: InputRouter;
  /** Operator: ends a match now through its host (see match-control.ts); the result is applied once. */
  end(matchId: string, reason: string): Promise<MatchEndOutcome>;
  /** Operator: moves a match to another live node (default: the least loaded other one). */
  handOver(matchId: string, toNodeId?: string): Promise<MatchHandOverOutcome>;
  /** Matches as the admin dashboard reads them. */
  readonly views: MatchViews;
}

declare module "../core/feature.ts" {
  interface Services {
    matches: MatchesService;
  }
}

export interface MatchesOptions {
  /** Benchmarks: told the duration (ms) of each match's tick, snapshot and broadcast. */
  onMatchTick?: (ms: number) => void;
  /** Benchmarks: told the duration (ms) of one loop pass over every hosted match, and how many ticked. */
  onLoopTick?: (ms: number, matches: number) => void;
}

function createMatches(core: Core, nodes: Nodes, players: PlayerStore, boards: BoardsService, opts: MatchesOptions): FeatureInstance<MatchesService> {
  const timings = matchTimings(core.config);
  const lifetimeMs = matchLifetimeMs(core.config);
  const hosted = new HostedMatches(core.metrics, core.log);
  const store = new MatchStore(core.redis, core.keys, lifetimeMs);
  const leases = new MatchLeases(core.redis, core.keys, core.scripts, core.nodeId, timings.leaseMs, lifetimeMs);
  // The router and the players' side need each other: the router asks it to look unknown routes up.
  let attach: PlayerAttach | null = null;
  const router = new InputRouter({
    nodeId: core.nodeId,
    deliverLocal: (m, i, s, x, y, d) => hosted.get(m)?.input(i, s, x, y, d) ?? false,
    send: (nodeId, b) => nodes.inbox.send(nodeId, "in", { b }),
    resolveHost: (m) => store.currentHost(m),
    onUnrouted: (pid, sid) => attach?.lookupRoute(pid, sid),
    onDropped: (reason) => core.metrics.inputsDropped.inc({ reason }),
    revalidateMs: HOST_REVALIDATE_MS,
  });
  const rt: MatchRuntime = { core, nodes, players, boards, store, leases, hosted, router, timings };
  const seats = new PlayerAttach(rt);
  attach = seats;
  const delivery = new SnapshotDelivery(core, nodes, router);
  const keeper = new LeaseKeeper(rt);
  const ender = new MatchEnder(rt, keeper, (end) => {
    core.io.of("/").serverSideEmit("match:ended", delivery.endedNotice(end));
    seats.onEnded(end);
  });
  /** Who hosts a match now, on this node: rooms and routes, and the host hears which matches we watch. */
  const hostedHere = (n: MatchHostedNotice) => {
    seats.onHosted(n);
    delivery.interest.changed();
  };
  /** Tells every node (this one directly: the adapter does not echo) who hosts a match now. */
  const announce = (n: MatchHostedNotice) => {
    core.io.of("/").serverSideEmit("match:hosted", n);
    hostedHere(n);
  };
  const scanner = new MatchScanner(rt, { announce, end: (h) => ender.end(h), recoverEnd: (record) => ender.recoverEnd(record) });

  /**
   * One tick of every match hosted here. Snapshots are not sent volatile: socket.io drops a volatile
   * packet when the previous write to that socket has not completed, so when a busy node delivers two
   * snapshots together (a late tick pass, or one inbox message read after another) it keeps the older
   * and drops the newer, and gaps appear for healthy
   * clients. A plain emit keeps every snapshot in order; what it may buffer for a client that stops
   * reading is bounded by the ping timeout, after which the socket closes.
   */
  const onTick = (emit: boolean): void => {
    const t0 = performance.now();
    const sample = opts.onMatchTick;
    for (const h of hosted.values()) {
      if (h.status !== "running") continue;
      // The lease may have lapsed by our clock: freeze until a renewal confirms it (or drop it if lost).
      if (t0 > h.lease.validUntil) continue;
      const s0 = sample ? performance.now() : 0;
      try {
        h.tick(timings.dtMs);
        if (emit || h.ended) delivery.publish(h);
      } catch (err) {
        core.log.error({ err, matchId: h.matchId }, "match tick failed");
      }
      if (sample) sample(performance.now() - s0);
      if (h.ended) ender.end(h);
    }
    delivery.flush();
    if (hosted.size) {
      const ms = performance.now() - t0;
      core.metrics.tickSeconds.observe(ms / 1000);
      opts.onLoopTick?.(ms, hosted.size);
    }
  };
  // An overloaded node stalls many times a second: count every skipped tick, log one line per 10 s.
  const stallLog = new ThrottledLog(core.log);
  const loop = new TickLoop({
    intervalMs: timings.dtMs,
    onTick,
    onSkip: (n) => {
      core.metrics.ticksSkipped.inc(n);
      stallLog.warn("tick_stall", { ticks: n }, "tick loop stalled; ticks skipped");
    },
  });

  nodes.reportHostedMatches(() => hosted.size);
  nodes.inbox.on("in", Type.Object({ t: Type.Literal("in"), b: Type.Array(RoutedInputSchema) }), (m) => router.receive(m.b));
  nodes.inbox.on("drop", Type.Object({ t: Type.Literal("drop"), m: Type.String(), i: Type.Integer({ minimum: 0 }) }), (m) => hosted.get(m.m)?.release(m.i));
  nodes.inbox.on("host", Type.Object({ t: Type.Literal("host"), m: Type.String() }), (m) => void scanner.tryHost(m.m));
  const nsp = core.io.of("/");
  nsp.on("match:hosted", hostedHere);
  nsp.on("match:ended", (e) => seats.onEnded(delivery.received(e)));

  const nudge = (matchId: string, hostNodeId: string) => {
    if (hostNodeId === core.nodeId) void scanner.tryHost(matchId);
    else nodes.inbox.send(hostNodeId, "host", { m: matchId });
  };
  const control = new MatchControl(rt, (id) => scanner.tryHost(id), nudge);
  let timers: NodeJS.Timeout[] = [];

  return {
    service: {
      async createMatch(m) {
        await Promise.all([store.create(m), players.pointToMatch(m.players.map((p) => p.playerId), m.matchId, lifetimeMs)]);
      },
      nudge,
      hostedCount: () => hosted.size,
      hosted: (id) => hosted.get(id),
      nextTickAt: () => loop.nextDue,
      router,
      end: (id, reason) => control.end(id, reason),
      handOver: (id, to) => control.handOver(id, to),
      views: new MatchViews(rt),
    },

    registerEvents(events) {
      events.fire("match:input", InputFrameSchema, (c, frame) => router.onInput(c.playerId, c.socket.id, frame));
    },

    onConnected: (socket) => seats.attach(socket, true),
    onDisconnected: (socket) => seats.onDisconnected(socket),

    start() {
      loop.start();
      const every = (ms: number, fn: () => Promise<void>) => timers.push(setInterval(() => void fn().catch((err: unknown) => core.log.error({ err }, "match runtime task failed")), ms));
      every(SCAN_INTERVAL_MS, () => scanner.scan());
      every(Math.max(100, Math.floor(timings.leaseMs / 3)), () => keeper.renew());
      every(core.config.CHECKPOINT_INTERVAL_MS, () => keeper.checkpoint());
      every(core.config.HEARTBEAT_INTERVAL_MS, async () => delivery.refresh());
      void scanner.scan().catch((err: unknown) => core.log.error({ err }, "match runtime task failed"));
    },

    /** Graceful stop: every hosted match is checkpointed and its lease released, so another node resumes it at once. */
    async stop() {
      hosted.stopped = true;
      for (const t of timers) clearInterval(t);
      timers = [];
      loop.stop();
      await hosted.settle(STOP_SETTLE_MS);
      const now = core.now();
      const running = hosted.running();
      await Promise.allSettled(running.map((h) => leases.handOver(h, h.checkpoint(now))));
      // Ask successors to take the matches now rather than at their next look (up to a lease later),
      // spread over the other live nodes, least loaded first.
      const others = await nodes.registry.list().catch(() => []);
      const successors = others.filter((n) => n.nodeId !== core.nodeId).sort((x, y) => loadScore(x) - loadScore(y));
      if (successors.length) running.forEach((h, i) => nodes.inbox.send(successors[i % successors.length]!.nodeId, "host", { m: h.matchId }));
      hosted.clear();
    },
  };
}

/** The matches feature with some settings replaced (benchmarks). */
export function createMatchesFeature(opts: MatchesOptions = {}) {
  return defineFeature({
    name: "matches",
    needs: ["players", "nodes", "boards"],
    create: (core, deps) => createMatches(core, deps.nodes, deps.players.store, deps.boards, opts),
  });
}

export const matchesFeature = createMatchesFeature();
