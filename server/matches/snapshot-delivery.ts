/**
 * Snapshot delivery of one node, both halves wired together: the host side (snapshot-fanout.ts: local
 * emit, one inbox message per watching node and tick) and the players' side (match-interest.ts: which
 * matches this node watches, told to their hosts), with their two inbox kinds and the socket.io adapter's
 * room events.
 *
 * The final snapshot of a match (phase "ended") travels to other nodes inside the `match:ended` notice
 * rather than through the inbox: that notice makes every node take its sockets out of the room, and two
 * different Redis channels do not keep order, so a final snapshot sent apart could arrive after its
 * players had left. The host's own sockets get it at the tick, like every other snapshot.
 */
import Type from "typebox";
import type { Core } from "../core/feature.ts";
import type { Nodes } from "../nodes/nodes-feature.ts";
import { rooms, type MatchEndedNotice } from "../../shared/protocol.ts";
import type { MatchEnd } from "../../shared/game/types.ts";
import type { InputRouter } from "./input-router.ts";
import type { MatchHost } from "./match-host.ts";
import { SnapshotFanout } from "./snapshot-fanout.ts";
import { MatchInterest } from "./match-interest.ts";

declare module "../nodes/node-inbox.ts" {
  interface InboxMessages {
    /** Snapshots of this tick for the receiving node's sockets: `[matchId, payload]` pairs. */
    snap: { s: [string, string][] };
    /** Node `n` has players of these matches hosted by the receiving node (its full list). */
    watch: { n: string; m: string[] };
  }
}

/** How long a final snapshot waits for its match's end notice (ends retry while Redis is away). */
const FINAL_KEEP_MS = 5 * 60_000;

const MatchId = Type.String({ minLength: 1, maxLength: 64 });
const SnapMessage = Type.Object({ t: Type.Literal("snap"), s: Type.Array(Type.Tuple([MatchId, Type.String({ maxLength: 65_536 })])) });
const WatchMessage = Type.Object({ t: Type.Literal("watch"), n: Type.String({ minLength: 1, maxLength: 64 }), m: Type.Array(MatchId, { maxItems: 100_000 }) });

export class SnapshotDelivery {
  readonly fanout: SnapshotFanout;
  readonly interest: MatchInterest;
  /** Final snapshots of matches ending here (with when), until their `match:ended` notice leaves. */
  private readonly finals = new Map<string, [string, number]>();

  constructor(
    private readonly core: Core,
    nodes: Nodes,
    router: InputRouter,
  ) {
    const nsp = core.io.of("/");
    this.fanout = new SnapshotFanout({
      emitLocal: (room, payload) => void nsp.local.to(room).emit("match:snapshot", payload),
      send: (nodeId, s) => nodes.inbox.send(nodeId, "snap", { s }),
      // A watcher refreshes every heartbeat interval: three missed refreshes and it is forgotten.
      expireMs: 3 * core.config.HEARTBEAT_INTERVAL_MS + 1000,
    });
    this.interest = new MatchInterest({
      nodeId: core.nodeId,
      hostOf: (m) => router.hostOf(m),
      send: (host, m) => nodes.inbox.send(host, "watch", { n: core.nodeId, m }),
    });
    nsp.adapter.on("create-room", (room: string) => this.interest.roomCreated(room));
    nsp.adapter.on("delete-room", (room: string) => this.interest.roomDeleted(room));
    nodes.inbox.on("snap", SnapMessage, (msg) => {
      for (const [matchId, payload] of msg.s) nsp.local.to(rooms.match(matchId)).emit("match:snapshot", payload);
    });
    nodes.inbox.on("watch", WatchMessage, (msg) => this.fanout.watch(msg.n, msg.m));
  }

  /** The snapshot of a hosted match at this tick (encoded once). */
  publish(h: MatchHost): void {
    const payload = h.encodedSnapshot();
    if (!h.ended) return this.fanout.publish(h.matchId, h.room, payload);
    this.core.io.of("/").local.to(h.room).emit("match:snapshot", payload);
    this.finals.set(h.matchId, [payload, performance.now()]);
  }

  /** End of a tick pass: one message per watching node. */
  flush(): void {
    this.fanout.flush();
  }

  /** The `match:ended` notice for other nodes: the end, with the final snapshot when this node has it. */
  endedNotice(end: MatchEnd): MatchEndedNotice {
    const snapshot = this.finals.get(end.matchId)?.[0];
    this.finals.delete(end.matchId);
    return snapshot ? { ...end, snapshot } : end;
  }

  /** A `match:ended` notice from another node: its final snapshot to local sockets, then the end itself. */
  received(n: MatchEndedNotice): MatchEnd {
    const { snapshot, ...end } = n;
    if (snapshot) this.core.io.of("/").local.to(rooms.match(n.matchId)).emit("match:snapshot", snapshot);
    return end;
  }

  /** Every heartbeat interval: full lists to every host, stale watchers forgotten. */
  refresh(): void {
    this.interest.flush(true);
    this.fanout.sweep();
    // An end that never got told (its lease was lost meanwhile) leaves its final snapshot behind.
    const old = performance.now() - FINAL_KEEP_MS;
    for (const [id, [, at]] of this.finals) if (at < old) this.finals.delete(id);
  }
}
