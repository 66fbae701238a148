/**
 * The players' half of snapshot fan-out (see snapshot-fanout.ts): this node tells each host which of its
 * matches have players connected here, so the host sends their snapshots here (one message per tick for
 * all of them) and nowhere else.
 *
 * The list is derived, never kept by hand: the match rooms that have local sockets (socket.io's adapter
 * says when a room is created or deleted) grouped by their host as the input router knows it. It is sent
 * to a host when it changes (at most once per event-loop turn, so a reconnect storm sends one list, not
 * one per player) and to every host each refresh interval, which heals a lost message, a host that
 * restarted, or a host change this node learnt of without an announcement.
 */
import { rooms } from "../../shared/protocol.ts";

const MATCH_ROOM = rooms.match("");

export interface MatchInterestDeps {
  nodeId: string;
  /** Who hosts a match, as this node knows it (null: unknown or nobody right now). */
  hostOf: (matchId: string) => string | null;
  /** Sends a host this node's full list of its watched matches. */
  send: (hostNodeId: string, matchIds: string[]) => void;
}

export class MatchInterest {
  /** Matches whose room has sockets on this node. */
  private readonly local = new Set<string>();
  /** Per host: the list last sent ("," joined), to send only changes between refreshes. */
  private readonly sent = new Map<string, string>();
  private queued = false;

  constructor(private readonly deps: MatchInterestDeps) {}

  /** socket.io adapter "create-room". */
  roomCreated(room: string): void {
    if (!room.startsWith(MATCH_ROOM)) return;
    this.local.add(room.slice(MATCH_ROOM.length));
    this.changed();
  }

  /** socket.io adapter "delete-room" (its last local socket left). */
  roomDeleted(room: string): void {
    if (!room.startsWith(MATCH_ROOM)) return;
    this.local.delete(room.slice(MATCH_ROOM.length));
    this.changed();
  }

  /** Something changed (a room, or who hosts a match): send the lists that differ, once this turn ends. */
  changed(): void {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.flush(false);
    });
  }

  /** Sends each host its list: only those that changed, or all of them (`refresh`). */
  flush(refresh: boolean): void {
    const byHost = new Map<string, string[]>();
    for (const m of this.local) {
      const host = this.deps.hostOf(m);
      if (!host || host === this.deps.nodeId) continue;
      const list = byHost.get(host);
      if (list) list.push(m);
      else byHost.set(host, [m]);
    }
    for (const [host, list] of byHost) {
      const key = list.sort().join(",");
      if (!refresh && this.sent.get(host) === key) continue;
      this.sent.set(host, key);
      this.deps.send(host, list);
    }
    // A host this node watched nothing of any more hears it once (its list is replaced by an empty one).
    for (const host of [...this.sent.keys()]) {
      if (byHost.has(host)) continue;
      this.sent.delete(host);
      this.deps.send(host, []);
    }
  }
}
