/**
 * CONTRACT between the match host (producer, server/matches/) and the results consumer (boards): one
 * entry per finished match on the results stream, appended through the boards service. Idempotent by
 * matchId: appending twice or applying twice has one effect.
 */
import type { RedisClient } from "../redis/connection.ts";
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

/**
 * Entries kept on the results stream (approximate trim). Applied entries are only history; a consumer
 * that fell this far behind would lose unapplied ones, so it is far above any backlog (days of matches).
 */
export const RESULTS_STREAM_MAXLEN = 100_000;

/**
 * Appends a finished match's result to the results stream. A host that fails over may append the same
 * match twice; the consumer applies each matchId once, so that is harmless.
 */
export async function appendMatchResult(redis: RedisClient, keys: Keys, result: MatchResult): Promise<string> {
  const id = await redis.xadd(keys.boards.results, "MAXLEN", "~", String(RESULTS_STREAM_MAXLEN), "*", RESULT_FIELDS.matchId, result.matchId, RESULT_FIELDS.result, JSON.stringify(result));
  return id!;
}
