/**
 * CONTRACT between the matchmaker (writer) and the match runtime (reader): the match record in Redis.
 * Written once per match right after a successful claim; the host updates `status` as it runs.
 * Every key here carries a TTL (the match's lifetime plus a grace) except nothing: records expire.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../redis/keys.ts";

export type MatchStatus = "created" | "running" | "ended";

export interface MatchRecordPlayer {
  playerId: string;
  name: string;
  rating: number;
}

export interface MatchRecord {
  matchId: string;
  /** Queue (region id or "world") the players came from. */
  queue: string;
  /** Fencing token of the matchmaker lock that created it. */
  fence: number;
  /** Node chosen to host it (least-loaded live node at creation). */
  hostNodeId: string;
  createdAt: number;
  status: MatchStatus;
  /** Seed of the simulation RNG. */
  seed: number;
  players: MatchRecordPlayer[];
}

/**
 * Writes the record, adds it to the active set and points each player at it. Each key is written by its
 * own command (auto-pipelined by ioredis into one round trip on a single Redis): the keys live in
 * different hash slots, and a Cluster refuses cross-slot pipelines. Every write is idempotent, so a
 * retry after a partial failure is safe.
 */
export async function writeMatchRecord(redis: Redis, keys: Keys, rec: MatchRecord, ttlMs: number): Promise<void> {
  const key = keys.match(rec.matchId);
  await Promise.all([
    redis
      .multi()
      .hset(key, {
        matchId: rec.matchId,
        queue: rec.queue,
        fence: String(rec.fence),
        hostNodeId: rec.hostNodeId,
        createdAt: String(rec.createdAt),
        status: rec.status,
        seed: String(rec.seed),
        players: JSON.stringify(rec.players),
      })
      .pexpire(key, ttlMs)
      .exec(),
    redis.zadd(keys.matchesActive, rec.createdAt, rec.matchId),
    ...rec.players.map((pl) => redis.set(keys.playerMatch(pl.playerId), rec.matchId, "PX", ttlMs)),
  ]);
}

/** Reads a match record; null when missing or expired. */
export async function readMatchRecord(redis: Redis, keys: Keys, matchId: string): Promise<MatchRecord | null> {
  const h = await redis.hgetall(keys.match(matchId));
  if (!h.matchId) return null;
  return {
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
