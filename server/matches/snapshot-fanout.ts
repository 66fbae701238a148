/**
 * How a host delivers its snapshots (the host's half; match-interest.ts is the other nodes' half). Each
 * tick, every hosted match's snapshot, encoded once, goes:
 *  - to this node's sockets in `match:<id>` with a local emit: no Redis at all when every player of the
 *    match is connected to its host;
 *  - to every other node that has players of the match, batched: ONE inbox message per node and tick
 *    carrying the snapshots of all the matches that node watches. The receiving node parses it once and
 *    emits each snapshot locally to its own sockets in the match room.
 *
 * Which nodes watch which matches: each node tells the host (the `watch` inbox kind) the full list of
 * matches it has players of and that this node hosts, when that list changes and again every refresh
 * interval. A list replaces the previous one from that node (a lost message heals at the next refresh),
 * and a list not refreshed within `expireMs` (its node died or stopped) is forgotten.
 */

export interface SnapshotFanoutDeps {
  /** Emits a snapshot to this node's own sockets in a match room. */
  emitLocal: (room: string, payload: string) => void;
  /** Sends one batch `[matchId, payload][]` to another node's inbox. */
  send: (nodeId: string, batch: [string, string][]) => void;
  /** A watcher list older than this is dropped (a few refresh intervals). */
  expireMs: number;
  now?: () => number;
}

export class SnapshotFanout {
  /** Per watching node: the matches it has players of, and when it last said so. */
  private readonly watchers = new Map<string, { matches: readonly string[]; at: number }>();
  /** Per match: the other nodes to send its snapshots to (derived from `watchers`). */
  private byMatch = new Map<string, string[]>();
  private readonly outbox = new Map<string, [string, string][]>();
  private readonly now: () => number;

  constructor(private readonly deps: SnapshotFanoutDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** A node's current list of watched matches (replaces its previous list; empty: it watches none). */
  watch(nodeId: string, matchIds: readonly string[]): void {
    if (matchIds.length) this.watchers.set(nodeId, { matches: matchIds, at: this.now() });
    else if (!this.watchers.delete(nodeId)) return;
    this.rebuild();
  }

  /** Nodes that get this match's snapshots (tests, admin). */
  watchersOf(matchId: string): readonly string[] {
    return this.byMatch.get(matchId) ?? [];
  }

  /** One match's snapshot of this tick: to local sockets now, to watching nodes at `flush`. */
  publish(matchId: string, room: string, payload: string): void {
    this.deps.emitLocal(room, payload);
    const nodes = this.byMatch.get(matchId);
    if (!nodes) return;
    for (const n of nodes) {
      let box = this.outbox.get(n);
      if (!box) this.outbox.set(n, (box = []));
      box.push([matchId, payload]);
    }
  }

  /** Sends what this tick queued: one message per watching node. */
  flush(): void {
    if (!this.outbox.size) return;
    for (const [nodeId, batch] of this.outbox) this.deps.send(nodeId, batch);
    this.outbox.clear();
  }

  /**
   * Forgets lists not refreshed in time (their node died or stopped). Time only: a node that just
   * started may not be in this node's view of the registry yet, and sending to a dead node costs nothing.
   */
  sweep(): void {
    const cutoff = this.now() - this.deps.expireMs;
    let changed = false;
    for (const [nodeId, w] of this.watchers) {
      if (w.at < cutoff) {
        this.watchers.delete(nodeId);
        changed = true;
      }
    }
    if (changed) this.rebuild();
  }

  private rebuild(): void {
    const byMatch = new Map<string, string[]>();
    for (const [nodeId, w] of this.watchers) {
      for (const m of w.matches) {
        const list = byMatch.get(m);
        if (list) list.push(nodeId);
        else byMatch.set(m, [nodeId]);
      }
    }
    this.byMatch = byMatch;
  }
}
