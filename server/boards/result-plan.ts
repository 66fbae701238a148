/**
 * The frozen plan of one match result: everything the per-slot apply steps need (board instances, points,
 * wins, rating changes), computed once from the first delivery of a match and stored under the match id
 * with SET NX. Every later delivery of the same match (redelivery, reclaim, a duplicate append by a host
 * that failed over, even with a different endedAt) reuses the stored plan, so all steps of all deliveries
 * agree on which board instances and which rating changes a match means.
 */
import Type, { type Static } from "typebox";
import { compiled } from "../validation.ts";
import { RESULT_FIELDS, type MatchResult } from "./match-result.ts";
import { MAX_REACHED_AT, clampPoints } from "./board-encoding.ts";
import { pairwiseEloDeltas } from "./rating.ts";
import { dayOf, isoWeekOf } from "./periods.ts";

const ID = "^[A-Za-z0-9_-]{1,64}$";

/** Runtime check of a stream entry's `result` JSON (the host is trusted, but a poison entry must not loop). */
export const MatchResultSchema = Type.Object({
  matchId: Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,128}$" }),
  endedAt: Type.Integer({ minimum: 0, maximum: MAX_REACHED_AT }),
  durationMs: Type.Number({ minimum: 0 }),
  players: Type.Array(
    Type.Object({
      playerId: Type.String({ pattern: ID }),
      name: Type.String({ maxLength: 64 }),
      score: Type.Number(),
      placement: Type.Integer({ minimum: 1, maximum: 1000 }),
    }),
    { minItems: 1, maxItems: 64 },
  ),
});
export type MatchResultPayload = Static<typeof MatchResultSchema>;

export interface PlanPlayer {
  id: string;
  name: string;
  /** Points added to every board (clamped non-negative integer). */
  points: number;
  /** 1 = first; orders players who reach equal totals at the same moment. */
  placement: number;
  win: 0 | 1;
  /** Rating change, fixed when the plan was made. */
  delta: number;
}

export interface ResultPlan {
  matchId: string;
  endedAt: number;
  /** Daily board instance and bucket of the exactly-once markers. */
  day: string;
  week: string;
  players: PlanPlayer[];
}

/** A parsed stream entry: a valid result, or the reason it cannot be applied. */
export type ParsedEntry = { id: string; result: MatchResult } | { id: string; invalid: string };

/** Parses one stream entry (fields as a flat [field, value, ...] array; null when the entry was deleted). */
export function parseEntry(id: string, fields: string[] | null): ParsedEntry {
  if (!fields) return { id, invalid: "deleted" };
  let raw: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === RESULT_FIELDS.result) raw = fields[i + 1];
  if (raw === undefined) return { id, invalid: "no result field" };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { id, invalid: "result is not JSON" };
  }
  if (!compiled(MatchResultSchema).Check(value)) return { id, invalid: "result fails the schema" };
  const result = value as MatchResult;
  if (new Set(result.players.map((p) => p.playerId)).size !== result.players.length) return { id, invalid: "a player appears twice" };
  return { id, result };
}

/** Builds the plan of a result from the players' current ratings (same order as `result.players`). */
export function buildPlan(result: MatchResult, ratings: readonly number[]): ResultPlan {
  const deltas = pairwiseEloDeltas(result.players.map((p, i) => ({ rating: ratings[i]!, placement: p.placement })));
  return {
    matchId: result.matchId,
    endedAt: result.endedAt,
    day: dayOf(result.endedAt),
    week: isoWeekOf(result.endedAt),
    players: result.players.map((p, i) => ({
      id: p.playerId,
      name: p.name,
      points: clampPoints(p.score),
      placement: p.placement,
      win: p.placement === 1 ? 1 : 0,
      delta: deltas[i]!,
    })),
  };
}
