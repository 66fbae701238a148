/**
 * CONTRACT between the match host (producer) and the results consumer (boards): one entry per finished
 * match on the results stream. Idempotent by matchId: appending twice or applying twice has one effect.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.ts";

export interface MatchResult {
  matchId: string;
  /** Ms since epoch when the match ended (decides the daily/weekly board period). */
  endedAt: number;
  durationMs: number;
  players: { playerId: string; name: string; score: number; placement: number }[];
}

/** Stream entry fields: `matchId <id>` and `result <JSON MatchResult>`. */
export const RESULT_FIELDS = { matchId: "matchId", result: "result" } as const;

/** Default skill rating of a player with no games (stored as field `rating` of the player hash). */
export const DEFAULT_RATING = 1000;

/**
 * Appends a finished match's result to the results stream. A host that fails over may append the same
 * match twice; the consumer applies each matchId once, so that is harmless.
 */
export async function appendMatchResult(redis: Redis, keys: Keys, result: MatchResult): Promise<string> {
  const id = await redis.xadd(keys.resultsStream, "MAXLEN", "~", "100000", "*", RESULT_FIELDS.matchId, result.matchId, RESULT_FIELDS.result, JSON.stringify(result));
  return id!;
}
