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
 * Writes the record, adds it to the active set and points each player at it. A pipeline, not MULTI:
 * the keys live in different hash slots (Cluster); every write is idempotent, so a retry is safe.
 */
export async function writeMatchRecord(redis: Redis, keys: Keys, rec: MatchRecord, ttlMs: number): Promise<void> {
  const p = redis.pipeline();
  const key = keys.match(rec.matchId);
  p.hset(key, {
    matchId: rec.matchId,
    queue: rec.queue,
    fence: String(rec.fence),
    hostNodeId: rec.hostNodeId,
    createdAt: String(rec.createdAt),
    status: rec.status,
    seed: String(rec.seed),
    players: JSON.stringify(rec.players),
  });
  p.pexpire(key, ttlMs);
  p.zadd(keys.matchesActive, rec.createdAt, rec.matchId);
  for (const pl of rec.players) p.set(keys.playerMatch(pl.playerId), rec.matchId, "PX", ttlMs);
  const res = await p.exec();
  const failed = res?.find(([err]) => err);
  if (failed) throw failed[0];
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
