/**
 * The players' keys and the only code that touches them: the device -> player map, the profile hash
 * (name, stats, rating), the connection epoch, the ticket pointer, the current-match pointer and the
 * per-player "result applied" markers. Every key of one player carries the player's hash tag, so each
 * script here is one atomic, cluster-safe step; calls about several players send one command per player.
 *
 * Guests expire: a player who never finished a match (no result applied) and its device id are deleted
 * `guestTtlMs` after the last login (slid at each one), so anonymous logins cannot grow Redis for ever.
 * The first applied result keeps both for good: the player now has stats and may be on the boards.
 */
import { randomBytes } from "node:crypto";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { ScriptCode, expectOk, scriptFailure } from "../redis/script-codes.ts";
import { NameIndex, type NameHit } from "./name-index.ts";

/** Skill rating of a player with no games (stored as field `rating` of the profile hash). */
export const DEFAULT_RATING = 1000;

/** A player's profile hash as stored (all fields strings; absent when never set). */
export type StoredProfile = Record<string, string>;

/** One match result as applied to one player's stats (see playerApply-2.lua). */
export interface PlayerResult {
  matchId: string;
  /** Day bucket of the applied marker (the match's UTC day). */
  day: string;
  markerTtlMs: number;
  points: number;
  win: 0 | 1;
  ratingDelta: number;
  name: string;
  endedAt: number;
}

/** Outcome of a dropped socket for its player's match pointer. */
export type DropOutcome = "grace" | "other_match" | "newer_socket";

const ratingOf = (raw: string | null | undefined): number => {
  const v = raw === null || raw === undefined ? NaN : Number(raw);
  return Number.isFinite(v) ? v : DEFAULT_RATING;
};

export class PlayerStore {
  private readonly nameIndex: NameIndex;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly scripts: Scripts,
    private readonly now: () => number,
    /** Lifetime of a guest after its last login (0 = guests never expire). */
    private readonly guestTtlMs = 0,
  ) {
    this.nameIndex = new NameIndex(redis, keys, (ids) => this.names(ids));
  }

  private get k() {
    return this.keys.players;
  }

  // ---- identity and profile ------------------------------------------------------------------------

  /** The player id of a device, created on its first login (two concurrent first logins agree via NX). */
  async forDevice(deviceId: string): Promise<string> {
    const key = this.k.device(deviceId);
    const ttl = this.guestTtlMs;
    // XX: slides a guest's device id only; one kept for good has no TTL and keeps none.
    const [existing] = await Promise.all([this.redis.get(key), ttl > 0 ? this.redis.pexpire(key, ttl, "XX") : null]);
    if (existing) return existing;
    const fresh = randomBytes(9).toString("base64url");
    const created = ttl > 0 ? await this.redis.set(key, fresh, "PX", ttl, "NX") : await this.redis.set(key, fresh, "NX");
    if (created === "OK") {
      const profile = this.k.profile(fresh);
      const m = this.redis.multi().hsetnx(profile, "createdAt", String(this.now())).hsetnx(profile, "device", deviceId);
      await (ttl > 0 ? m.pexpire(profile, ttl) : m).exec();
      return fresh;
    }
    return (await this.redis.get(key))!;
  }

  /** The player id bound to a device, or null (never logged in). */
  idOfDevice(deviceId: string): Promise<string | null> {
    return this.redis.get(this.k.device(deviceId));
  }

  /**
   * Records a login: the display name and when (sliding a guest's expiry), and indexes the name for
   * search (two slots, one round trip).
   */
  async recordLogin(playerId: string, name: string, at: number): Promise<void> {
    await Promise.all([this.scripts.run("playerLogin", [this.k.profile(playerId)], [name, at, this.guestTtlMs]), this.nameIndex.add(playerId, name, at)]);
  }

  /** Players whose current name starts with `prefix` (case-insensitive), in name order (see name-index.ts). */
  searchNames(prefix: string, limit: number): Promise<NameHit[]> {
    return this.nameIndex.find(prefix, limit, this.now());
  }

  /** The stored profile hash (without its device id), or null when the player does not exist. */
  async profile(playerId: string): Promise<StoredProfile | null> {
    const h = await this.redis.hgetall(this.k.profile(playerId));
    if (!h || Object.keys(h).length === 0) return null;
    // The device id logs in as this player: it never leaves the store.
    delete h.device;
    return h;
  }

  /** Display names (null for players without one), in order; one command per player (own slots). */
  names(playerIds: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(playerIds.map((id) => this.redis.hget(this.k.profile(id), "name")));
  }

  /** Skill rating (the default for a player without games). */
  async rating(playerId: string): Promise<number> {
    return ratingOf(await this.redis.hget(this.k.profile(playerId), "rating"));
  }

  /** Applies one match result to the player's stats and rating, once per match. True when applied now. */
  async applyResult(playerId: string, r: PlayerResult): Promise<boolean> {
    const reply = await this.scripts.run(
      "playerApply",
      [this.k.profile(playerId), this.k.applied(playerId, r.day)],
      [r.matchId, r.markerTtlMs, r.points, r.win, r.ratingDelta, DEFAULT_RATING, r.name, r.endedAt],
    );
    const code = expectOk(reply, "playerApply");
    if (code === ScriptCode.PROMOTED) await this.keepDevice(playerId);
    return code === ScriptCode.OK || code === ScriptCode.PROMOTED;
  }

  /** A guest became a player for good: its device id stops expiring too (it lives on its own slot). */
  private async keepDevice(playerId: string): Promise<void> {
    const deviceId = await this.redis.hget(this.k.profile(playerId), "device");
    if (deviceId) await this.redis.persist(this.k.device(deviceId));
  }

  // ---- connections ---------------------------------------------------------------------------------

  /** Takes the next connection epoch of a player (newest socket wins); the counter lives `ttlSeconds`. */
  async nextEpoch(playerId: string, ttlSeconds: number): Promise<number> {
    const key = this.k.epoch(playerId);
    const res = await this.redis.multi().incr(key).expire(key, ttlSeconds).exec();
    const [err, value] = res?.[0] ?? [new Error("epoch INCR returned nothing"), null];
    if (err) throw err;
    return Number(value);
  }

  // ---- ticket pointer (matchmaking) ----------------------------------------------------------------

  /** Reserves the player's one ticket; throws ALREADY_QUEUED / ALREADY_IN_MATCH. */
  async reserveTicket(playerId: string, pointer: string, ttlMs: number): Promise<void> {
    const code = await this.scripts.run("playerTicketReserve", [this.k.match(playerId), this.k.ticket(playerId)], [pointer, ttlMs]);
    if (code !== ScriptCode.OK) throw scriptFailure(code, "queue:join");
  }

  /** Deletes the ticket pointer if it still names this ticket. */
  async releaseTicket(playerId: string, pointer: string): Promise<boolean> {
    return (await this.scripts.run("playerTicketRelease", [this.k.ticket(playerId)], [pointer])) === ScriptCode.OK;
  }

  /** The ticket pointer value, or null. */
  ticketOf(playerId: string): Promise<string | null> {
    return this.redis.get(this.k.ticket(playerId));
  }

  /** Slides the ticket pointer's life. */
  async keepTicket(playerId: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(this.k.ticket(playerId), ttlMs);
  }

  // ---- current-match pointer (matches) -------------------------------------------------------------

  /** Points players at a match (idempotent; one command per player: their keys live on their own slots). */
  async pointToMatch(playerIds: readonly string[], matchId: string, ttlMs: number): Promise<void> {
    await Promise.all(playerIds.map((id) => this.redis.set(this.k.match(id), matchId, "PX", ttlMs)));
  }

  /** The match the player is in, or null. */
  matchOf(playerId: string): Promise<string | null> {
    return this.redis.get(this.k.match(playerId));
  }

  /** Sets the life of the match pointer (a player back in their match gets the full life again). */
  async keepMatch(playerId: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(this.k.match(playerId), ttlMs);
  }

  /** A socket in a match dropped: the pointer shrinks to the reconnect grace unless a newer socket exists. */
  async dropFromMatch(playerId: string, matchId: string, epoch: number, graceMs: number): Promise<DropOutcome> {
    const code = await this.scripts.run("playerMatchDrop", [this.k.match(playerId), this.k.epoch(playerId)], [matchId, epoch, graceMs]);
    if (code === ScriptCode.OK) return "grace";
    if (code === ScriptCode.OTHER_MATCH) return "other_match";
    if (code === ScriptCode.NEWER_SOCKET) return "newer_socket";
    throw scriptFailure(code, "playerMatchDrop");
  }

  /**
   * Claims the right to send a player the end of a match: true for the first caller only, whichever node
   * and whichever path (the host, a successor, a recovering scanner, a reconnect) gets there first.
   */
  async claimEndNotice(playerId: string, matchId: string, ttlMs: number): Promise<boolean> {
    const previous = (await this.redis.call("SET", this.k.lastEnd(playerId), matchId, "PX", String(ttlMs), "GET")) as string | null;
    return previous !== matchId;
  }

  /** Deletes each player's match pointer if it still names this match (one command per player). */
  async clearMatch(playerIds: readonly string[], matchId: string): Promise<void> {
    await Promise.all(playerIds.map((id) => this.scripts.run("playerMatchClear", [this.k.match(id)], [matchId])));
  }
}
