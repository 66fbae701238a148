/**
 * Multiplayer Elo: every match of N players is scored as the N(N-1)/2 pairwise duels it contains. A player
 * who placed better than another "won" that duel (equal placements draw). Each player's change is K times
 * the sum over their duels of (actual - expected), divided by N-1 so a match moves a rating about as much
 * as one two-player game, whatever the match size.
 */
export const RATING_K = 32;

export interface RatedPlacement {
  rating: number;
  /** 1 = first; equal placements are draws. */
  placement: number;
}

/** Expected score of a player rated `a` against one rated `b` (logistic, 400-point scale). */
export function expectedScore(a: number, b: number): number {
  return 1 / (1 + 10 ** ((b - a) / 400));
}

/** Integer rating changes for one match, in the order of `players`. */
export function pairwiseEloDeltas(players: readonly RatedPlacement[], k = RATING_K): number[] {
  const n = players.length;
  if (n < 2) return players.map(() => 0);
  return players.map((me, i) => {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const other = players[j]!;
      const actual = me.placement < other.placement ? 1 : me.placement === other.placement ? 0.5 : 0;
      sum += actual - expectedScore(me.rating, other.rating);
    }
    return Math.round((k * sum) / (n - 1));
  });
}
