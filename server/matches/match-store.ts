/**
 * The matches' keys outside the fenced lease scripts (see match-leases.ts for those): the record, the
 * active set, checkpoint reads and the current lease holder. All of one match's keys share the match's
 * hash tag; the active set is its own key, so calls about several matches send one command per key.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import { parseRecord, recordFields, type MatchRecord, type NewMatch } from "./match-record.ts";
import type { MatchResultRow } from "../../shared/game/types.ts";

/** A candidate of the scanner: lease time left (ms, <= 0 when free) and its record's status. */
export interface MatchGlance {
  matchId: string;
  leaseTtlMs: number;
  status: string | null;
  hostNodeId: string | null;
  createdAt: number;
}

export class MatchStore {
  private readonly k: Keys["matches"];

  constructor(
    private readonly redis: RedisClient,
    keys: Keys,
    /** Life of a new record (matchLifetimeMs). */
    private readonly lifetimeMs: number,
  ) {
    this.k = keys.matches;
  }

  /**
   * Writes a new match's record (unless one exists: the runtime may have updated it already) and lists
   * it as active. Idempotent; each key written by its own command (different slots).
   */
  async create(m: NewMatch): Promise<void> {
    const key = this.k.record(m.matchId);
    if (!(await this.redis.exists(key))) {
      await this.redis.multi().hset(key, recordFields(m)).pexpire(key, this.lifetimeMs).exec();
    }
    await this.redis.zadd(this.k.active, m.createdAt, m.matchId);
  }

  /** A match record; null when missing or expired. */
  async read(matchId: string): Promise<MatchRecord | null> {
    return parseRecord(await this.redis.hgetall(this.k.record(matchId)));
  }

  /** Time the record has left (ms; negative when gone). */
  recordTtl(matchId: string): Promise<number> {
    return this.redis.pttl(this.k.record(matchId));
  }

  /** The raw checkpoint JSON, or null. */
  checkpoint(matchId: string): Promise<string | null> {
    return this.redis.get(this.k.checkpoint(matchId));
  }

  /** Who holds the lease of a match now (null: nobody). */
  async currentHost(matchId: string): Promise<string | null> {
    const v = await this.redis.get(this.k.lease(matchId));
    return v ? v.slice(0, v.lastIndexOf("|")) : null;
  }

  /** Active matches with the time each was listed. */
  async active(): Promise<Map<string, number>> {
    const flat = await this.redis.zrange(this.k.active, "0", "-1", "WITHSCORES");
    const out = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(flat[i]!, Number(flat[i + 1]));
    return out;
  }

  /** Lease time left and record status of each match (one command per key); null entries failed to read. */
  glance(matchIds: readonly string[]): Promise<(MatchGlance | null)[]> {
    return Promise.all(
      matchIds.map(async (matchId) => {
        try {
          const [leaseTtlMs, [status, hostNodeId, createdAt]] = await Promise.all([
            this.redis.pttl(this.k.lease(matchId)),
            this.redis.hmget(this.k.record(matchId), "status", "hostNodeId", "createdAt"),
          ]);
          return { matchId, leaseTtlMs, status: status ?? null, hostNodeId: hostNodeId ?? null, createdAt: Number(createdAt) };
        } catch {
          return null;
        }
      }),
    );
  }

  /** One page of the active matches, oldest first, with their count (admin views). */
  async activePage(offset: number, limit: number): Promise<{ total: number; ids: string[] }> {
    const [total, ids] = await Promise.all([this.redis.zcard(this.k.active), limit > 0 ? this.redis.zrange(this.k.active, offset, String(offset + limit - 1)) : Promise.resolve([] as string[])]);
    return { total, ids };
  }

  /** A match's status and, once ended, its results as recorded by the fenced end; null when gone. */
  async outcome(matchId: string): Promise<{ status: string; results: MatchResultRow[] } | null> {
    const [status, results] = await this.redis.hmget(this.k.record(matchId), "status", "results");
    if (!status) return null;
    return { status, results: results ? (JSON.parse(results) as MatchResultRow[]) : [] };
  }

  /**
   * Names another node as the match's chosen host (an operator's hand-over): the scanners then leave a
   * free lease to that node. NX: a record that expired meanwhile is not brought back without a TTL.
   */
  async rehost(matchId: string, nodeId: string): Promise<void> {
    const key = this.k.record(matchId);
    await this.redis.multi().hset(key, "hostNodeId", nodeId).pexpire(key, this.lifetimeMs, "NX").exec();
  }

  /** Takes matches off the active list. */
  async delist(matchIds: readonly string[]): Promise<void> {
    if (matchIds.length) await this.redis.zrem(this.k.active, ...matchIds);
  }
}
