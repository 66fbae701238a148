/**
 * How a board orders players, exactly. The sorted-set score is the player's total points, an exact
 * integer (a Redis score is an IEEE double: integers are exact up to 2^53). Equal points are ordered by the
 * member, which Redis compares byte by byte (ZREVRANGE / ZREVRANK: descending), so the member starts with a
 * fixed-width key that sorts "reached it first" highest:
 *
 *   member = <13 digits: 9999999999999 - reachedAt ms> <2 digits: 99 - placement> <playerId>
 *
 * `reachedAt` is when the player's total became what it is: the latest end time among the matches that
 * added points (a total of 0: the earliest match). It is computed from match end times, not from the moment
 * a consumer applied a result, so the board is the same whatever order (or node) the results are applied
 * in. At the same millisecond the better placement ranks first, then the player id (descending), which
 * makes the order total: two entries never share a rank.
 *
 * Bounds (test/boards-ties.test.ts checks them on a real Redis):
 * - points: integers 0 .. 2^53 - 1 (9,007,199,254,740,991), exact; a total above is clamped to it.
 * - reachedAt: 0 .. 10^13 - 1 ms since the epoch (until 2286-11-20); results beyond are refused.
 * - placement: 1 .. 99 order ties; worse placements count as 99.
 * The Lua scripts (boardApply, boardEdit) build members the same way.
 */
export const MAX_BOARD_POINTS = Number.MAX_SAFE_INTEGER;
export const MAX_REACHED_AT = 9_999_999_999_999;
export const MAX_TIE_PLACEMENT = 99;
/** Length of the tie key in front of the player id. */
export const TIE_KEY_LENGTH = 15;

/** The fixed-width tie key of a moment and a placement (higher sorts first in a descending read). */
export function tieKey(reachedAt: number, placement: number): string {
  if (!Number.isInteger(reachedAt) || reachedAt < 0 || reachedAt > MAX_REACHED_AT) throw new RangeError(`reachedAt out of range: ${reachedAt}`);
  if (!Number.isInteger(placement) || placement < 1) throw new RangeError(`placement out of range: ${placement}`);
  return String(MAX_REACHED_AT - reachedAt).padStart(13, "0") + String(MAX_TIE_PLACEMENT - Math.min(placement, MAX_TIE_PLACEMENT)).padStart(2, "0");
}

/** The board member of a player who reached their total at `reachedAt` with `placement`. */
export function boardMember(reachedAt: number, placement: number, playerId: string): string {
  return tieKey(reachedAt, placement) + playerId;
}

/** The player id of a board member. */
export function memberPlayer(member: string): string {
  return member.slice(TIE_KEY_LENGTH);
}

/** When the member's player reached their total (ms). */
export function memberReachedAt(member: string): number {
  return MAX_REACHED_AT - Number(member.slice(0, 13));
}

/** Points added by a match, as a board holds them (non-negative integers up to 2^53 - 1). */
export function clampPoints(points: number): number {
  if (!Number.isFinite(points) || points <= 0) return 0;
  return Math.min(Math.floor(points), MAX_BOARD_POINTS);
}
