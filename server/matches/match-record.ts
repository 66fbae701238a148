/**
 * CONTRACT between the matchmaker (creates a match through the matches service) and the match runtime:
 * the match record in Redis. Written once per match right after a successful claim; the host updates
 * `status` as it runs. Every match key expires: the record lives the match's length plus a grace.
 */
import type { Config } from "../config.ts";
import type { MatchResultRow } from "../../shared/game/types.ts";

export type MatchStatus = "created" | "running" | "ended";

export interface MatchRecordPlayer {
  playerId: string;
  name: string;
  rating: number;
}

/** What the matchmaker hands over to create a match. */
export interface NewMatch {
  matchId: string;
  /** Queue (region id or "world") the players came from. */
  queue: string;
  /** Fencing token of the matchmaker lock that created it. */
  fence: number;
  /** Node chosen to host it. */
  hostNodeId: string;
  createdAt: number;
  /** Seed of the simulation RNG. */
  seed: number;
  players: MatchRecordPlayer[];
}

export interface MatchRecord extends NewMatch {
  status: MatchStatus;
  /** Set once ended (by the fenced finish). */
  endedAt?: number;
  results?: MatchResultRow[];
}

/** Margin of a match's keys over its longest possible life (late readers, clocks). */
const LIFETIME_MARGIN_MS = 60_000;

/** Longest life of a match: countdown, round, a reconnect grace, and a margin. Its keys expire after it. */
export function matchLifetimeMs(c: Pick<Config, "MATCH_COUNTDOWN_MS" | "MATCH_DURATION_MS" | "RECONNECT_GRACE_MS">): number {
  return c.MATCH_COUNTDOWN_MS + c.MATCH_DURATION_MS + c.RECONNECT_GRACE_MS + LIFETIME_MARGIN_MS;
}

/** The hash fields of a new record. */
export function recordFields(m: NewMatch): Record<string, string> {
  return {
    matchId: m.matchId,
    queue: m.queue,
    fence: String(m.fence),
    hostNodeId: m.hostNodeId,
    createdAt: String(m.createdAt),
    status: "created",
    seed: String(m.seed),
    players: JSON.stringify(m.players),
  };
}

/** A record from its hash; null when the hash is empty (missing or expired). */
export function parseRecord(h: Record<string, string>): MatchRecord | null {
  if (!h.matchId) return null;
  const ended = h.status === "ended" && h.results ? { endedAt: Number(h.endedAt), results: JSON.parse(h.results) as MatchResultRow[] } : {};
  return {
    ...ended,
    matchId: h.matchId,
    queue: h.queue ?? "",
    fence: Number(h.fence),
    hostNodeId: h.hostNodeId ?? "",
    createdAt: Number(h.createdAt),
    status: (h.status as MatchStatus) ?? "created",
    seed: Number(h.seed),
    players: JSON.parse(h.players ?? "[]") as MatchRecordPlayer[],
  };
}
