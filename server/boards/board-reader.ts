/**
 * Reads of the boards: pages (the top 100 with names through a cache-aside entry with a short TTL),
 * around-a-player windows (one atomic script), player profiles, and the top 10 that subscribers get.
 *
 * Ranks are positions in the sorted set read in descending order. Members are unique and carry the tie
 * order (see board-encoding.ts), so ranks form a total order: consecutive pages and around-me windows
 * taken from the same state never repeat or skip a rank, and a player's rank in a page is their ZREVRANK + 1.
 */
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Scripts } from "../redis/scripts.ts";
import { ScriptCode, expectOk } from "../redis/script-codes.ts";
import { DEFAULT_RATING, type PlayerStore } from "../players/player-store.ts";
import type { Metrics } from "../metrics.ts";
import type { LeaderboardAround, LeaderboardEntry, LeaderboardPage, PlayerBoardRank, PlayerProfile } from "../../shared/protocol.ts";
import type { LeaderboardPeriod } from "../../shared/schemas.ts";
import { NotFoundError } from "../errors.ts";
import { memberPlayer } from "./board-encoding.ts";
import { PERIODS, instanceAt } from "./periods.ts";
import { CACHED_TOP } from "./result-applier.ts";

/** Name shown for a player whose hash has none (never logged in, e.g. a bot). */
const UNKNOWN_NAME = "?";

export type BoardPage = LeaderboardPage;
export type AroundPage = LeaderboardAround;

export interface ReaderDeps {
  redis: RedisClient;
  keys: Keys;
  scripts: Scripts;
  players: PlayerStore;
  metrics: Metrics;
  now: () => number;
  cacheTtlMs: number;
}

interface CachedTop {
  total: number;
  entries: LeaderboardEntry[];
}

interface RangeRead extends CachedTop {
  /** Cache generation of the board when it was read. */
  generation: string;
}

export class BoardReader {
  /** Rebuilds in flight on this node, so a burst of misses costs one rebuild (single flight). */
  private readonly rebuilding = new Map<string, Promise<CachedTop>>();

  constructor(private readonly d: ReaderDeps) {}

  /** One page of a board; pages inside the top 100 come from the cache when it is on. */
  async page(period: LeaderboardPeriod, instance: string, offset: number, limit: number): Promise<BoardPage> {
    if (this.d.cacheTtlMs > 0 && offset + limit <= CACHED_TOP) {
      const top = await this.cachedTop(period, instance);
      return { period, instance, total: top.total, entries: top.entries.slice(offset, offset + limit) };
    }
    const { total, entries } = await this.readRange(period, instance, offset, offset + limit - 1);
    return { period, instance, total, entries };
  }

  /** The top `n` (<= 100) read live, and the cache refreshed with it (the pusher wants fresh data). */
  async freshTop(period: LeaderboardPeriod, instance: string, n: number): Promise<LeaderboardEntry[]> {
    const top = await this.readRange(period, instance, 0, CACHED_TOP - 1);
    if (this.d.cacheTtlMs > 0) await this.storeTop(period, instance, top);
    return top.entries.slice(0, n);
  }

  /** Caches a top page unless a write reached the top while it was read (see boardCacheSet). */
  private async storeTop(period: LeaderboardPeriod, instance: string, top: RangeRead): Promise<void> {
    const { scripts, cacheTtlMs } = this.d;
    const b = this.d.keys.boards;
    const page: CachedTop = { total: top.total, entries: top.entries };
    expectOk(await scripts.run("boardCacheSet", [b.topCache(period, instance), b.topGen(period, instance)], [JSON.stringify(page), cacheTtlMs, top.generation]), "boardCacheSet");
  }

  /** Up to `radius` entries above and below a player (fewer at the edges); NotFoundError when absent. */
  async around(period: LeaderboardPeriod, instance: string, playerId: string, radius: number): Promise<AroundPage> {
    const b = this.d.keys.boards;
    const reply = expectOk(await this.d.scripts.run("boardAround", [b.board(period, instance), b.members(period, instance)], [playerId, radius]), "boardAround");
    const [rank0, total, first, flat] = reply;
    return { period, instance, total, rank: rank0 + 1, entries: await this.withNames(flat, first) };
  }

  /** Stats, rating and current ranks of a player; NotFoundError when the player does not exist. */
  async profile(playerId: string): Promise<PlayerProfile> {
    const { players, scripts, now } = this.d;
    const b = this.d.keys.boards;
    const t = now();
    const boards = PERIODS.map((period) => ({ period, instance: instanceAt(period, t) }));
    const [h, ...ranks] = await Promise.all([
      players.profile(playerId),
      ...boards.map(async ({ period, instance }): Promise<PlayerBoardRank | null> => {
        // Radius 0: the player's rank and score in one atomic read.
        const reply = await scripts.run("boardAround", [b.board(period, instance), b.members(period, instance)], [playerId, 0]);
        if (reply === ScriptCode.NOT_ON_BOARD) return null;
        const [rank0, , , flat] = expectOk(reply, "boardAround");
        return { instance, rank: rank0 + 1, score: Number(flat[1]) };
      }),
    ]);
    if (!h) throw new NotFoundError("No such player");
    const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
    return {
      playerId,
      name: h.name ?? UNKNOWN_NAME,
      rating: h.rating === undefined ? DEFAULT_RATING : Number(h.rating),
      games: n(h.games),
      wins: n(h.wins),
      best: n(h.best),
      total: n(h.total),
      lastMatchAt: h.lastMatchAt === undefined ? null : Number(h.lastMatchAt),
      ranks: Object.fromEntries(boards.map(({ period }, i) => [period, ranks[i]])) as Record<LeaderboardPeriod, PlayerBoardRank | null>,
    };
  }

  private async cachedTop(period: LeaderboardPeriod, instance: string): Promise<CachedTop> {
    const key = this.d.keys.boards.topCache(period, instance);
    const hit = await this.d.redis.get(key);
    if (hit) {
      this.d.metrics.boardsCache.inc({ outcome: "hit" });
      return JSON.parse(hit) as CachedTop;
    }
    this.d.metrics.boardsCache.inc({ outcome: "miss" });
    let pending = this.rebuilding.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const top = await this.readRange(period, instance, 0, CACHED_TOP - 1);
          await this.storeTop(period, instance, top);
          return { total: top.total, entries: top.entries };
        } finally {
          this.rebuilding.delete(key);
        }
      })();
      this.rebuilding.set(key, pending);
    }
    return pending;
  }

  private async readRange(period: LeaderboardPeriod, instance: string, start: number, stop: number): Promise<RangeRead> {
    const { redis } = this.d;
    const b = this.d.keys.boards;
    const key = b.board(period, instance);
    // One MULTI on one slot: the size, the slice and the cache generation describe the same moment.
    const res = await redis.multi().get(b.topGen(period, instance)).zcard(key).zrevrange(key, start, stop, "WITHSCORES").exec();
    if (!res) throw new Error("board read transaction aborted");
    for (const [err] of res) if (err) throw err;
    const generation = (res[0]![1] as string | null) ?? "0";
    const total = res[1]![1] as number;
    const flat = res[2]![1] as string[];
    return { generation, total, entries: await this.withNames(flat, start) };
  }

  /** Turns [member, score, ...] read from position `first` into entries with names. */
  private async withNames(flat: string[], first: number): Promise<LeaderboardEntry[]> {
    const ids: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(memberPlayer(flat[i]!));
      scores.push(Number(flat[i + 1]!));
    }
    const names = await this.d.players.names(ids);
    return ids.map((playerId, i) => ({ rank: first + i + 1, playerId, name: names[i] ?? UNKNOWN_NAME, score: scores[i]! }));
  }
}
