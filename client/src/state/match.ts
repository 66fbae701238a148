/**
 * Match and results transitions: `match:start` puts the match on screen (again after a reload, a drop
 * or a failover), `match:end` turns it into placements plus the live all-time top 10. Snapshots never
 * come through here: 20 a second go straight to the game screen's MatchView (prediction, interpolation).
 * Pure.
 */
import type { BoardsTop, LeaderboardEntry } from "../../../shared/protocol.ts";
import type { MatchEnd, MatchStart } from "../../../shared/game/types.ts";
import { idle } from "./queue.ts";
import type { AppState, BoardsState, Command, ResultsState } from "./types.ts";

type Next = [AppState, Command[]];

export function initialBoards(): BoardsState {
  return { subscribed: false, entries: [], note: "" };
}

export function start(s: AppState, m: MatchStart): AppState {
  return { ...s, queue: idle(s.queue), match: m, screen: "game" };
}

/** Placements, best first, and the line on top from the player's own point of view. */
export function resultsOf(e: MatchEnd, playerId: string | null): ResultsState {
  const mine = e.results.find((r) => r.playerId === playerId);
  const shared = mine ? e.results.filter((r) => r.placement === mine.placement).length > 1 : false;
  const title = !mine ? "Match over" : mine.placement === 1 ? (shared ? "A tie for first!" : "You win!") : `You placed #${mine.placement}${shared ? " (tied)" : ""}`;
  const rows = [...e.results]
    .sort((a, b) => a.placement - b.placement)
    .map((r) => ({ placement: r.placement, name: r.playerId === playerId ? `${r.name} (you)` : r.name, score: r.score, me: r.playerId === playerId }));
  return { matchId: e.matchId, title, rows };
}

export function end(s: AppState, e: MatchEnd): Next {
  const seen = { ...s, lastEnd: e };
  // The end of another match (an older one finishing late) leaves the one on screen alone.
  if (s.match && s.match.matchId !== e.matchId) return [seen, []];
  const next: AppState = { ...seen, match: null, results: resultsOf(e, s.player.playerId), screen: "end", boards: { ...s.boards, note: "Loading…" } };
  return [next, [{ type: "boards:load" }]];
}

function showBoard(b: BoardsState, entries: readonly LeaderboardEntry[]): BoardsState {
  const top = entries.slice(0, 10);
  return { ...b, entries: top, note: top.length ? "" : "No scores yet." };
}

/** The board arrived (subscribe ack, or the HTTP read when offline). */
export function boardsLoaded(s: AppState, entries: LeaderboardEntry[], subscribed: boolean): Next {
  const boards = showBoard(s.boards, entries);
  // The player left the end screen before the ack: do not keep a subscription nobody looks at.
  if (subscribed && s.screen !== "end") return [{ ...s, boards: { ...boards, subscribed: false } }, [{ type: "boards:unsubscribe" }]];
  return [{ ...s, boards: { ...boards, subscribed } }, []];
}

export function boardsFailed(s: AppState): AppState {
  return { ...s, boards: { ...s.boards, note: "The leaderboard is not available right now." } };
}

/** A push of the all-time board (after a result was applied): shown only while subscribed. */
export function boardsTop(s: AppState, b: BoardsTop): AppState {
  if (!s.boards.subscribed || b.period !== "alltime") return s;
  return { ...s, boards: showBoard(s.boards, b.entries) };
}

/** Leaving the end screen, whatever the way: stop the board pushes. */
export function leaveEnd(prev: AppState, [s, cmds]: Next): Next {
  if (prev.screen !== "end" || s.screen === "end" || !s.boards.subscribed) return [s, cmds];
  return [{ ...s, boards: { ...s.boards, subscribed: false } }, [{ type: "boards:unsubscribe" }, ...cmds]];
}
