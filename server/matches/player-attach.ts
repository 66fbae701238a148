/**
 * The players' side of the match runtime on this node: their sockets join a match's room and get
 * `match:start` when its host announces it (start or failover), leave with `match:end`, are put back into
 * their running match when they reconnect (any node, within the reconnect grace), and start that grace
 * when their socket drops (the host stops their avatar).
 */
import { rooms, type MatchHostedNotice } from "../../shared/protocol.ts";
import type { SimState } from "../../shared/game/sim.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import type { AppSocket } from "../sockets/types.ts";
import { MatchHost, parseCheckpoint } from "./match-host.ts";
import { matchStartOf } from "./match-messages.ts";
import { encodeSnapshot } from "./snapshot-encoder.ts";
import type { MatchRecord } from "./match-record.ts";
import type { MatchRuntime } from "./match-runtime.ts";

/** Least time between two route look-ups for a socket sending inputs without a known match. */
const UNROUTED_LOOKUP_MS = 1_000;
/** How long a player's "match:end sent" marker lives: longer than any path that may still send it. */
const END_NOTICE_MARKER_MS = 10 * 60_000;

export class PlayerAttach {
  private readonly lookups = new Map<string, number>();

  constructor(private readonly rt: MatchRuntime) {}

  /** On every node: the match's players connected here join its room and get match:start (and match:resumed). */
  onHosted(n: MatchHostedNotice): void {
    const { router } = this.rt;
    router.setHost(n.matchId, n.hostNodeId);
    const room = rooms.match(n.matchId);
    for (const p of n.start.players) {
      // A resumed match must not pull back a player who gave up on it (past the grace) and is now
      // routed to a newer match; a fresh start always wins (the matchmaker never double-books a player).
      const current = router.routeOf(p.playerId);
      if (n.resumed && current && current.matchId !== n.matchId) continue;
      for (const socket of this.localSockets(p.playerId)) {
        socket.join(room);
        router.setRoute(p.playerId, { socketId: socket.id, matchId: n.matchId, index: p.index });
        socket.emit("match:start", { ...n.start, you: p.index });
        if (n.resumed) socket.emit("match:resumed", { matchId: n.matchId, hostNodeId: n.hostNodeId });
      }
    }
  }

  /**
   * On every node: the match's players connected here leave its room and get match:end, once per player
   * whoever tells them (the host, a successor after a crash, a scanner finishing a dead host's end, their
   * own reconnect): the first to claim the player's end notice in Redis sends it.
   */
  onEnded(e: MatchEnd): void {
    for (const r of e.results) for (const socket of this.localSockets(r.playerId)) void this.sendEnd(socket, e);
    this.rt.router.forgetMatch(e.matchId);
  }

  private async sendEnd(socket: AppSocket, e: MatchEnd): Promise<void> {
    socket.leave(rooms.match(e.matchId));
    try {
      if (!(await this.rt.players.claimEndNotice(socket.data.playerId, e.matchId, END_NOTICE_MARKER_MS))) return;
    } catch (err) {
      // Redis just took the end: rather a rare second notice than none.
      this.rt.core.log.warn({ err, matchId: e.matchId }, "could not record the end notice; sending it anyway");
    }
    if (socket.connected) socket.emit("match:end", e);
  }

  /** A player's socket dropped: start their reconnect grace and stop their avatar on the host. */
  onDisconnected(socket: AppSocket): void {
    const { router, players, core, nodes, hosted } = this.rt;
    const pid = socket.data.playerId;
    const r = router.clearRoute(pid, socket.id);
    if (!r) return;
    players
      .dropFromMatch(pid, r.matchId, socket.data.epoch, core.config.RECONNECT_GRACE_MS)
      .then((outcome) => {
        // No newer socket took over: the avatar stops until the player is back.
        if (outcome !== "grace") return;
        const host = router.hostOf(r.matchId);
        if (host === core.nodeId) hosted.get(r.matchId)?.release(r.index);
        else if (host) nodes.inbox.send(host, "drop", { m: r.matchId, i: r.index });
      })
      .catch((err: unknown) => core.log.warn({ err, playerId: pid }, "could not start the reconnect grace"));
  }

  /** A socket sent inputs without a route (a missed announcement): look its match up, at most once a second. */
  lookupRoute(playerId: string, socketId: string): void {
    const t = performance.now();
    if (t - (this.lookups.get(playerId) ?? -Infinity) < UNROUTED_LOOKUP_MS) return;
    this.lookups.set(playerId, t);
    const socket = this.rt.core.io.of("/").sockets.get(socketId);
    if (socket) void this.attach(socket, false).catch((err: unknown) => this.rt.core.log.warn({ err, playerId }, "route look-up failed"));
  }

  /** Forgets old look-up times (called by the scanner's sweep). */
  sweep(t: number): void {
    for (const [pid, at] of this.lookups) if (t - at > UNROUTED_LOOKUP_MS * 10) this.lookups.delete(pid);
  }

  /**
   * Puts a socket back into its player's running match, if any: room, input route, the pointer's full
   * life again (the reconnect grace had shortened it), and with `tell`, match:start plus the latest state.
   */
  async attach(socket: AppSocket, tell: boolean): Promise<void> {
    const { players, store, router, core } = this.rt;
    const pid = socket.data.playerId;
    const matchId = await players.matchOf(pid);
    if (!matchId) return;
    const [record, recordTtl, host] = await Promise.all([store.read(matchId), store.recordTtl(matchId), store.currentHost(matchId)]);
    if (!record || !socket.connected) return;
    const index = record.players.findIndex((p) => p.playerId === pid);
    if (index < 0) return;
    // Ended while this player was away (or its host died before telling them): tell them now, once.
    if (record.status === "ended") {
      if (tell && record.results && record.endedAt) await this.sendEnd(socket, { matchId, results: record.results, endedAt: record.endedAt });
      return;
    }
    socket.join(rooms.match(matchId));
    router.setRoute(pid, { socketId: socket.id, matchId, index });
    if (host) router.setHost(matchId, host);
    const kept = recordTtl > 0 ? players.keepMatch(pid, recordTtl) : null;
    // Not started yet: the host's announcement will reach this socket, it is in the player room now.
    if (!tell || record.status !== "running") {
      await kept;
      return;
    }
    const [state] = await Promise.all([this.latestState(record), kept]);
    socket.emit("match:start", { ...matchStartOf(record, state, core.config.TICK_HZ), you: index });
    socket.emit("match:snapshot", encodeSnapshot(state, matchId));
  }

  /** The freshest state this node can see: live when hosted here, else the checkpoint, else the seed. */
  private async latestState(record: MatchRecord): Promise<SimState> {
    const local = this.rt.hosted.get(record.matchId);
    if (local) return local.state;
    const cp = parseCheckpoint(await this.rt.store.checkpoint(record.matchId), record.players.length);
    return cp?.state ?? MatchHost.create(record, { durationMs: this.rt.core.config.MATCH_DURATION_MS, countdownMs: this.rt.core.config.MATCH_COUNTDOWN_MS });
  }

  private localSockets(playerId: string): AppSocket[] {
    const nsp = this.rt.core.io.of("/");
    const ids = nsp.adapter.rooms.get(rooms.player(playerId));
    if (!ids) return [];
    const out: AppSocket[] = [];
    for (const id of ids) {
      const s = nsp.sockets.get(id);
      if (s) out.push(s);
    }
    return out;
  }
}
