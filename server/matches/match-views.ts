/**
 * Matches as the admin dashboard reads them: the active list (paged), and each match's record, current
 * host and last checkpoint from Redis, so every node shows the same; plus the live snapshot of a match
 * this node hosts, straight from memory (the live view relays it).
 */
import { DEFAULT_GAME_CONFIG, toSnapshot } from "../../shared/game/sim.ts";
import type { Snapshot } from "../../shared/game/types.ts";
import { parseCheckpoint } from "./match-host.ts";
import type { MatchRuntime } from "./match-runtime.ts";

/** A match as stored, with what its last checkpoint says. */
export interface MatchView {
  matchId: string;
  queue: string;
  status: "created" | "running" | "ended";
  /** Node chosen at creation (or by an operator's hand-over). */
  chosenHost: string;
  /** Node holding the lease now (null: nobody; a takeover is due). */
  host: string | null;
  createdAt: number;
  roster: { playerId: string; name: string; index: number }[];
  arena: { width: number; height: number };
  /** Built from the last checkpoint (null before the first). */
  snapshot: Snapshot | null;
  checkpointAt: number | null;
}

export class MatchViews {
  constructor(private readonly rt: MatchRuntime) {}

  /** Active match ids, oldest first, with the total count. */
  active(offset: number, limit: number): Promise<{ total: number; ids: string[] }> {
    return this.rt.store.activePage(offset, limit);
  }

  /** Each match's view (null when gone); one command per key, auto-pipelined. */
  view(matchIds: readonly string[]): Promise<(MatchView | null)[]> {
    const { store } = this.rt;
    return Promise.all(
      matchIds.map(async (matchId): Promise<MatchView | null> => {
        const [rec, host, raw] = await Promise.all([store.read(matchId), store.currentHost(matchId), store.checkpoint(matchId)]);
        if (!rec) return null;
        const cp = parseCheckpoint(raw, rec.players.length);
        const cfg = cp?.state.config ?? DEFAULT_GAME_CONFIG;
        return {
          matchId,
          queue: rec.queue,
          status: rec.status,
          chosenHost: rec.hostNodeId,
          host,
          createdAt: rec.createdAt,
          roster: rec.players.map((p, index) => ({ playerId: p.playerId, name: p.name, index })),
          arena: { width: cfg.arenaWidth, height: cfg.arenaHeight },
          snapshot: cp ? toSnapshot(cp.state, matchId) : null,
          checkpointAt: cp ? cp.savedAt : null,
        };
      }),
    );
  }

  /** The current snapshot of a match this node hosts; null when hosted elsewhere. */
  localSnapshot(matchId: string): Snapshot | null {
    const h = this.rt.hosted.get(matchId);
    return h && h.status !== "stopped" ? h.snapshot() : null;
  }
}
