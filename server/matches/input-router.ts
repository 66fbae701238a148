/**
 * Gets a player's inputs from whatever node their socket lives on to the node hosting their match. The
 * route (player -> match, index) and the host of each match are cached in memory: they are set when a
 * match is announced (start, failover) or the player rejoins, so the per-input path does no Redis read.
 * Local when this node hosts the match; otherwise batched per host node and published on that node's
 * inbox once per event-loop turn (one PUBLISH carries every input that arrived in the turn).
 *
 * A cached host is re-checked in the background every `revalidateMs` while inputs flow, so a missed
 * announcement heals by itself instead of feeding a dead node's channel forever.
 */
import Type from "typebox";
import type { InputFrame } from "../../shared/game/types.ts";

export interface PlayerRoute {
  socketId: string;
  matchId: string;
  index: number;
}

/** One routed input on the wire: [matchId, playerIndex, seq, x, y, dash 0|1]. */
export type RoutedInput = [string, number, number, number, number, number];

/** Schema of a RoutedInput (checked at the receiving node's inbox; the host clamps values again). */
export const RoutedInputSchema = Type.Tuple([Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0, maximum: 7 }), Type.Number(), Type.Number(), Type.Number(), Type.Number()]);

export interface InputRouterDeps {
  nodeId: string;
  /** Hands an input to a match hosted here; false when refused or not hosted. */
  deliverLocal: (matchId: string, index: number, s: number, x: number, y: number, d: boolean) => boolean;
  /** Sends a batch of inputs to another node's inbox. */
  send: (nodeId: string, batch: RoutedInput[]) => void;
  /** Reads who hosts a match now (null: nobody, e.g. between a host's death and the takeover). */
  resolveHost: (matchId: string) => Promise<string | null>;
  /** An input came from a socket with no route: find out (async, rate-limited by the caller). */
  onUnrouted: (playerId: string, socketId: string) => void;
  onDropped?: (reason: "no_route" | "no_host" | "refused") => void;
  revalidateMs: number;
  now?: () => number;
}

interface HostEntry {
  nodeId: string | null;
  checkedAt: number;
}

export class InputRouter {
  private readonly players = new Map<string, PlayerRoute>();
  private readonly hosts = new Map<string, HostEntry>();
  private readonly outbox = new Map<string, RoutedInput[]>();
  private readonly refreshing = new Set<string>();
  private flushQueued = false;
  private readonly now: () => number;

  constructor(private readonly deps: InputRouterDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** Routes a player's inputs (from this socket) to a match. */
  setRoute(playerId: string, route: PlayerRoute): void {
    this.players.set(playerId, route);
  }

  /** The player's current route, if any. */
  routeOf(playerId: string): PlayerRoute | undefined {
    return this.players.get(playerId);
  }

  /** Forgets a player's route if it belongs to that socket (a newer socket keeps its own); returns it. */
  clearRoute(playerId: string, socketId: string): PlayerRoute | undefined {
    const r = this.players.get(playerId);
    if (!r || r.socketId !== socketId) return undefined;
    this.players.delete(playerId);
    return r;
  }

  /** Records which node hosts a match (null: none right now). */
  setHost(matchId: string, nodeId: string | null): void {
    this.hosts.set(matchId, { nodeId, checkedAt: this.now() });
  }

  /** Who hosts a match, as far as this node knows. */
  hostOf(matchId: string): string | null {
    return this.hosts.get(matchId)?.nodeId ?? null;
  }

  /** Drops every route into a match that ended. */
  forgetMatch(matchId: string): void {
    this.hosts.delete(matchId);
    for (const [pid, r] of this.players) if (r.matchId === matchId) this.players.delete(pid);
  }

  /** Forgets hosts of matches no local player is routed to (their end notice may have been missed). */
  sweep(keep: (matchId: string) => boolean): void {
    const used = new Set<string>();
    for (const r of this.players.values()) used.add(r.matchId);
    for (const id of this.hosts.keys()) if (!used.has(id) && !keep(id)) this.hosts.delete(id);
  }

  /** The hot path: one validated input frame from a player's socket. */
  onInput(playerId: string, socketId: string, f: InputFrame): void {
    const r = this.players.get(playerId);
    if (!r || r.socketId !== socketId) {
      this.deps.onDropped?.("no_route");
      this.deps.onUnrouted(playerId, socketId);
      return;
    }
    const h = this.hosts.get(r.matchId);
    if (!h || this.now() - h.checkedAt > this.deps.revalidateMs) this.refresh(r.matchId);
    const host = h?.nodeId;
    if (!host) {
      this.deps.onDropped?.("no_host");
      return;
    }
    if (host === this.deps.nodeId) {
      if (!this.deps.deliverLocal(r.matchId, r.index, f.s, f.x, f.y, f.d)) this.deps.onDropped?.("refused");
      return;
    }
    let rows = this.outbox.get(host);
    if (!rows) this.outbox.set(host, (rows = []));
    rows.push([r.matchId, r.index, f.s, f.x, f.y, f.d ? 1 : 0]);
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
  }

  /** Applies a batch received on this node's inbox (already checked there). */
  receive(batch: readonly RoutedInput[]): void {
    for (const [matchId, index, s, x, y, d] of batch) {
      if (!this.deps.deliverLocal(matchId, index, s, x, y, d === 1)) this.deps.onDropped?.("refused");
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    for (const [nodeId, rows] of this.outbox) this.deps.send(nodeId, rows);
    this.outbox.clear();
  };

  private refresh(matchId: string): void {
    if (this.refreshing.has(matchId)) return;
    this.refreshing.add(matchId);
    // Until the answer, inputs keep going to the host we knew: usually it is still right.
    const entry = this.hosts.get(matchId);
    if (entry) entry.checkedAt = this.now();
    this.deps
      .resolveHost(matchId)
      .then((nodeId) => {
        // Also records "nobody" (else every input would read Redis again); a fresher entry (an announcement
        // that arrived meanwhile) wins over this answer.
        if (this.hosts.get(matchId) === entry) this.setHost(matchId, nodeId);
      })
      .catch(() => {})
      .finally(() => this.refreshing.delete(matchId));
  }
}
