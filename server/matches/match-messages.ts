/** Builds what players and the results stream are told about a match, from its record and state. */
import { standings, type SimState } from "../../shared/game/sim.ts";
import type { MatchEnd, MatchResultRow, MatchStart } from "../../shared/game/types.ts";
import type { MatchRecord } from "./match-record.ts";
import type { MatchResult } from "../boards/match-result.ts";

/** `match:start` minus `you` (players' index = their order in the record). */
export function matchStartOf(record: MatchRecord, state: SimState, tickHz: number): Omit<MatchStart, "you"> {
  return {
    matchId: record.matchId,
    seed: record.seed,
    players: record.players.map((p, index) => ({ playerId: p.playerId, name: p.name, index })),
    arena: { width: state.config.arenaWidth, height: state.config.arenaHeight },
    tickHz,
    phase: state.phase,
    durationMs: state.config.durationMs,
  };
}

/** Final standings with player ids and names, best first. */
export function resultRowsOf(record: MatchRecord, state: SimState): MatchResultRow[] {
  return standings(state).map((r) => {
    const p = record.players[r.index]!;
    return { playerId: p.playerId, name: p.name, score: r.score, placement: r.placement };
  });
}

/** The `match:end` event. */
export function matchEndOf(record: MatchRecord, rows: MatchResultRow[], endedAt: number): MatchEnd {
  return { matchId: record.matchId, results: rows, endedAt };
}

/** The results-stream entry (see boards/match-result.ts). */
export function matchResultOf(record: MatchRecord, state: SimState, rows: MatchResultRow[], endedAt: number): MatchResult {
  return { matchId: record.matchId, endedAt, durationMs: state.config.durationMs, players: rows };
}
