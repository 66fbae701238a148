/**
 * Redis access of the matchmaking queues. One queue = one hash tag `{q:<queue>}`: its GEO set, its
 * by-time sorted set, its ticket hashes, its fencing counter and its pending claims, so every queue script
 * runs on one Redis Cluster slot. A player's ticket pointer belongs to the players feature (it is checked
 * together with their current-match pointer, on the player's slot). Every state change of a ticket happens in a script of the queue it is in, and leaves a tombstone
 * ("claimed", "moved", "left") so a racing operation sees what happened instead of a missing key.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { ScriptCode as Code, scriptFailure } from "../redis/script-codes.ts";
import type { PlayerStore } from "../players/player-store.ts";
import type { Neighbour } from "./group-selection.ts";
import { QUEUES, TICKET_FIELDS, WORLD_QUEUE, parsePointer, toTicket, type ClaimRecord, type StoredTicket } from "./tickets.ts";

export interface StoreTimings {
  /** Life of a queued ticket without a refresh (TICKET_TTL_SECONDS). */
  ticketTtlMs: number;
  /**
   * Life of the player's pointer, the tombstones and the queue sets: longer than the ticket's, so that
   * while a pointer exists the ticket is either still there or has left a tombstone saying where it went.
   */
  holdTtlMs: number;
}

/** Outcome of taking a player's ticket out of whatever queue it is in. */
export type Withdrawal = { outcome: "removed" | "gone" | "superseded" } | { outcome: "claimed"; matchId: string };

const FENCE_TTL_MS = 86_400_000;
const CLAIMS_TTL_MS = 86_400_000;
export class QueueStore {
  private readonly keys: Keys["matchmaking"];

  constructor(
    private readonly redis: RedisClient,
    keys: Keys,
    private readonly scripts: Scripts,
    private readonly players: PlayerStore,
    readonly timings: StoreTimings,
  ) {
    this.keys = keys.matchmaking;
  }

  private qkeys(queue: string, ticketId: string): [string, string, string] {
    return [this.keys.ticket(queue, ticketId), this.keys.geo(queue), this.keys.byTime(queue)];
  }

  /** Reserves the player's one ticket; throws ALREADY_QUEUED / ALREADY_IN_MATCH. */
  reserve(playerId: string, pointer: string): Promise<void> {
    return this.players.reserveTicket(playerId, pointer, this.timings.holdTtlMs);
  }

  /** Deletes the player's pointer if it still names this ticket. */
  releasePointer(playerId: string, pointer: string): Promise<boolean> {
    return this.players.releaseTicket(playerId, pointer);
  }

  /** The player's pointer value, or null. */
  pointer(playerId: string): Promise<string | null> {
    return this.players.ticketOf(playerId);
  }

  /** Refreshes the pointer's TTL (done before the ticket's, so the pointer always outlives it). */
  touchPointer(playerId: string): Promise<void> {
    return this.players.keepTicket(playerId, this.timings.holdTtlMs);
  }

  /** Queues a ticket; false when the id is tombstoned in that queue (a leave beat a move). */
  async add(queue: string, t: StoredTicket): Promise<boolean> {
    const code = await this.scripts.run(
      "ticketAdd",
      this.qkeys(queue, t.ticketId),
      [
        t.ticketId,
        t.lon,
        t.lat,
        t.joinedAt,
        this.timings.ticketTtlMs,
        this.timings.holdTtlMs,
        ...["playerId", t.playerId, "name", t.name, "rating", t.rating, "joinedAt", t.joinedAt, "home", t.home, "lat", t.lat, "lon", t.lon, "epoch", t.epoch, "node", t.node],
      ],
    );
    if (code === Code.EXISTS) return false;
    if (code !== Code.OK) throw scriptFailure(code, "ticket add");
    return true;
  }

  /** Removes a ticket from one queue (see ticketRemove-3.lua for the codes). */
  async remove(queue: string, ticketId: string, expectedEpoch: number | "", tombstoneIfMissing: boolean): Promise<{ code: number; matchId: string }> {
    const [code, matchId] = await this.scripts.run("ticketRemove", this.qkeys(queue, ticketId), [ticketId, this.timings.holdTtlMs, expectedEpoch, tombstoneIfMissing ? 1 : 0]);
    return { code, matchId };
  }

  /**
   * Takes the ticket named by a pointer out of whichever queue holds it: its home queue, else the
   * worldwide one. The worldwide removal tombstones a missing ticket, so a move still in flight cannot
   * re-add it afterwards: once this returns "removed" or "gone", the ticket is in no queue and never will be.
   * `expectedEpoch` keeps a ticket that a newer connection adopted ("" removes whatever the owner).
   */
  async withdraw(pointer: string, expectedEpoch: number | ""): Promise<Withdrawal> {
    const p = parsePointer(pointer);
    if (!p) return { outcome: "gone" };
    let r = await this.remove(p.home, p.ticketId, expectedEpoch, false);
    if (r.code !== Code.OK && r.code !== Code.CLAIMED && r.code !== Code.SUPERSEDED && p.home !== WORLD_QUEUE) {
      r = await this.remove(WORLD_QUEUE, p.ticketId, expectedEpoch, true);
    }
    if (r.code === Code.OK) return { outcome: "removed" };
    if (r.code === Code.CLAIMED) return { outcome: "claimed", matchId: r.matchId };
    if (r.code === Code.SUPERSEDED) return { outcome: "superseded" };
    return { outcome: "gone" };
  }

  /** Refreshes (and possibly adopts) a waiting ticket; see ticketTouch-3.lua. */
  async touch(queue: string, ticketId: string, epoch: number, nodeId: string, radiusKm: number, countCap: number): Promise<{ code: number; count: number; matchId: string; joinedAt: number }> {
    const [code, second, joinedAt] = await this.scripts.run("ticketTouch", this.qkeys(queue, ticketId), [ticketId, this.timings.ticketTtlMs, this.timings.holdTtlMs, epoch, nodeId, radiusKm, countCap]);
    return code === Code.OK
      ? { code, count: Math.max(0, Number(second)), matchId: "", joinedAt: Number(joinedAt ?? 0) }
      : { code, count: 0, matchId: String(second ?? ""), joinedAt: 0 };
  }

  /** Takes the next fencing token of a queue (called right after acquiring its lock). */
  async acquireFence(queue: string): Promise<number> {
    const key = this.keys.fence(queue);
    const res = await this.redis.multi().incr(key).pexpire(key, FENCE_TTL_MS).exec();
    const [err, value] = res?.[0] ?? [new Error("fence INCR returned nothing"), null];
    if (err) throw err;
    return Number(value);
  }

  /** Claims a group for a match; returns Code.OK or the script's code (see matchClaim-12.lua). */
  async claim(queue: string, token: number, claim: ClaimRecord): Promise<number> {
    const ids = claim.players.map((p) => p.ticketId);
    if (ids.length < 1 || ids.length > 8) return Code.BAD_GROUP;
    const ticketKeys = ids.map((id) => this.keys.ticket(queue, id));
    while (ticketKeys.length < 8) ticketKeys.push(ticketKeys[ticketKeys.length - 1]!);
    return this.scripts.run(
      "matchClaim",
      [this.keys.fence(queue), this.keys.geo(queue), this.keys.byTime(queue), this.keys.claims(queue), ...ticketKeys],
      [token, claim.matchId, ids.length, JSON.stringify(claim), this.timings.holdTtlMs, CLAIMS_TTL_MS, ...ids],
    );
  }

  /**
   * Moves a ticket on to the worldwide queue: fenced remove from the source (leaving a "moved"
   * tombstone), then add to the worldwide queue. Remove-then-add: never in two queues at once.
   */
  async moveToWorld(queue: string, token: number, ticketId: string): Promise<"moved" | "gone" | "left" | "stale"> {
    const res = await this.scripts.run(
      "ticketMoveOut",
      [this.keys.fence(queue), this.keys.ticket(queue, ticketId), this.keys.geo(queue), this.keys.byTime(queue)],
      [token, ticketId, this.timings.holdTtlMs, WORLD_QUEUE],
    );
    if (typeof res === "number") return res === Code.STALE_FENCE ? "stale" : "gone";
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < res.length; i += 2) h[res[i]!] = res[i + 1]!;
    return (await this.add(WORLD_QUEUE, toTicket(ticketId, h))) ? "moved" : "left";
  }

  /** The `count` oldest tickets from rank `offset`: [ticketId, joinedAt]. */
  async oldest(queue: string, offset: number, count: number): Promise<{ ticketId: string; joinedAt: number }[]> {
    const flat = await this.redis.zrange(this.keys.byTime(queue), offset, String(offset + count - 1), "WITHSCORES");
    const out: { ticketId: string; joinedAt: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ ticketId: flat[i]!, joinedAt: Number(flat[i + 1]) });
    return out;
  }

  /** Reads tickets: `queued` holds the ones still queued, `missing` the ids whose hash has expired. */
  async read(queue: string, ids: readonly string[]): Promise<{ queued: Map<string, StoredTicket>; missing: string[] }> {
    const queued = new Map<string, StoredTicket>();
    const missing: string[] = [];
    if (!ids.length) return { queued, missing };
    const p = this.redis.pipeline();
    for (const id of ids) p.hmget(this.keys.ticket(queue, id), ...TICKET_FIELDS);
    const res = (await p.exec()) ?? [];
    ids.forEach((id, i) => {
      const [err, values] = res[i] ?? [null, null];
      if (err || !Array.isArray(values)) return;
      const h = Object.fromEntries(TICKET_FIELDS.map((f, j) => [f, values[j] as string | null]));
      if (h.status === null) missing.push(id);
      else if (h.status === "queued") queued.set(id, toTicket(id, h));
    });
    return { queued, missing };
  }

  /**
   * The `count` nearest tickets around each ticket within its radius (GEOSEARCH FROMMEMBER BYRADIUS ASC
   * COUNT WITHDIST), nearest first. Searched in rings of growing radius (`ringsKm` below the ticket's
   * radius, then the radius itself), stopping at the first ring that yields `count`: an ASC search costs
   * Redis every member inside its radius, so a worldwide search from a dense city would scan the whole
   * queue, while its nearest `count` are found within the first ring. Same answer (everything outside a
   * ring is farther than everything in it), far less work.
   */
  async around(queue: string, searches: readonly { ticketId: string; radiusKm: number }[], count: number, ringsKm: readonly number[] = []): Promise<Map<string, Neighbour[]>> {
    const out = new Map<string, Neighbour[]>();
    const geo = this.keys.geo(queue);
    let pending = searches.map((s) => ({ ticketId: s.ticketId, rings: [...ringsKm.filter((r) => r < s.radiusKm), s.radiusKm] }));
    for (let level = 0; pending.length; level++) {
      const p = this.redis.pipeline();
      for (const s of pending) p.geosearch(geo, "FROMMEMBER", s.ticketId, "BYRADIUS", String(s.rings[Math.min(level, s.rings.length - 1)]), "km", "ASC", "COUNT", String(count), "WITHDIST");
      const res = (await p.exec()) ?? [];
      const next: typeof pending = [];
      pending.forEach((s, i) => {
        const [err, rows] = res[i] ?? [null, null];
        // A seed claimed or removed since it was read is no longer a member: no neighbours.
        if (err || !Array.isArray(rows)) return void out.set(s.ticketId, []);
        if (rows.length < count && level < s.rings.length - 1) return void next.push(s);
        out.set(
          s.ticketId,
          (rows as [string, string | number][]).map(([ticketId, d]) => ({ ticketId, distKm: Number(d) })),
        );
      });
      pending = next;
    }
    return out;
  }

  /** Drops queue members whose ticket hash expired (their player's node stopped refreshing them). */
  async sweep(queue: string, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.redis.multi().zrem(this.keys.geo(queue), ...ids).zrem(this.keys.byTime(queue), ...ids).exec();
  }

  /** Tickets waiting in a queue. */
  waiting(queue: string): Promise<number> {
    return this.redis.zcard(this.keys.byTime(queue));
  }

  /** Tickets and pending claims of a queue, cheaply (lets an idle queue skip its lock). */
  async workload(queue: string): Promise<{ tickets: number; claims: number }> {
    const [tickets, claims] = await Promise.all([this.redis.zcard(this.keys.byTime(queue)), this.redis.hlen(this.keys.claims(queue))]);
    return { tickets, claims };
  }

  /** Claims recorded in the queue slot whose match record may not be written yet. */
  async pendingClaims(queue: string): Promise<ClaimRecord[]> {
    const h = await this.redis.hgetall(this.keys.claims(queue));
    const out: ClaimRecord[] = [];
    for (const json of Object.values(h)) {
      try {
        out.push(JSON.parse(json) as ClaimRecord);
      } catch {
        // A corrupt entry would be retried forever; it is dropped by the caller's HDEL below.
      }
    }
    return out;
  }

  /** Forgets a completed claim. */
  async dropClaim(queue: string, matchId: string): Promise<void> {
    await this.redis.hdel(this.keys.claims(queue), matchId);
  }

  /** Other tickets within each radius of a position (capped), for the wait estimate. */
  async othersNear(queue: string, pos: { lat: number; lon: number }, radiiKm: readonly number[], cap: number): Promise<number[]> {
    const geo = this.keys.geo(queue);
    const p = this.redis.pipeline();
    for (const r of radiiKm) p.geosearch(geo, "FROMLONLAT", String(pos.lon), String(pos.lat), "BYRADIUS", String(r), "km", "COUNT", String(cap), "ANY");
    const res = (await p.exec()) ?? [];
    return radiiKm.map((_, i) => {
      const rows = res[i]?.[1];
      return Array.isArray(rows) ? rows.length : 0;
    });
  }

  /** Size and oldest join time of every queue (admin view). */
  async sizes(): Promise<{ queue: string; waiting: number; oldestJoinedAt: number | null }[]> {
    return Promise.all(
      QUEUES.map(async (queue) => {
        const key = this.keys.byTime(queue);
        const [waiting, first] = await Promise.all([this.redis.zcard(key), this.redis.zrange(key, 0, "0", "WITHSCORES")]);
        return { queue, waiting, oldestJoinedAt: first.length >= 2 ? Number(first[1]) : null };
      }),
    );
  }
}
