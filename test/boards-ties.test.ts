import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { RedisClient } from "../server/redis/connection.ts";
import { redisClient, uniquePrefix } from "./helpers/harness.ts";
import { result, standaloneApplier } from "./boards-helpers.ts";
import { buildPlan, parseEntry } from "../server/boards/result-plan.ts";
import { MAX_BOARD_POINTS, MAX_REACHED_AT, memberPlayer, memberReachedAt } from "../server/boards/board-encoding.ts";
import type { MatchResult } from "../server/boards/match-result.ts";

let redis: RedisClient;
beforeAll(() => {
  redis = redisClient();
});
afterAll(async () => {
  await redis.quit();
});

/** A fresh all-time board (own key prefix) and helpers to apply results to it in a chosen order. */
async function freshBoard() {
  const { applier, keys, scripts } = await standaloneApplier(redis, uniquePrefix("ties"));
  const board = keys.boards.board("alltime", "all");
  return {
    keys,
    scripts,
    apply: async (...rs: MatchResult[]) => {
      for (const r of rs) await applier.applyBoards([buildPlan(r, r.players.map(() => 1000))], ["alltime"]);
    },
    order: async () => (await redis.zrevrange(board, 0, -1)).map(memberPlayer),
    raw: () => redis.zrevrange(board, 0, -1, "WITHSCORES"),
    points: async (id: string) => {
      const member = await redis.hget(keys.boards.members("alltime", "all"), id);
      return member === null ? null : Number(await redis.zscore(board, member));
    },
    member: (id: string) => redis.hget(keys.boards.members("alltime", "all"), id),
  };
}
const T = Date.parse("2026-11-22T10:00:00Z");

describe("equal scores: whoever reached the score first ranks higher", () => {
  it("orders equal totals by when each was reached, whatever order the results are applied in", async () => {
    const b = await freshBoard();
    const m1 = result([["a", 10]], T + 1000);
    const m2 = result([["b", 10]], T + 2000);
    const m3 = result([["c", 5]], T + 500);
    const m4 = result([["c", 5]], T + 3000); // c reaches 10 only when m4 ends
    const m5 = result([["d", 10]], T + 1500);
    // Applied late and out of order (as two consumers may): m2 before m1, m4 before m3.
    await b.apply(m2, m4, m1, m5, m3);
    expect(await b.order()).toEqual(["a", "d", "b", "c"]);
    expect(memberReachedAt((await b.member("c"))!)).toBe(T + 3000);
    // A later 0-point match reaches nothing new: b keeps its place.
    await b.apply(result([["b", 0]], T + 9000));
    expect(await b.order()).toEqual(["a", "d", "b", "c"]);
    // More points beat any seniority.
    await b.apply(result([["c", 1]], T + 9500));
    expect(await b.order()).toEqual(["c", "a", "d", "b"]);
    expect(await Promise.all(["a", "b", "c", "d"].map(b.points))).toEqual([10, 10, 11, 10]);
  });

  it("orders equal totals reached in the same millisecond by placement", async () => {
    const b = await freshBoard();
    await b.apply(result([["x", 7], ["y", 7], ["z", 7]], T));
    expect(await b.order()).toEqual(["x", "y", "z"]);
  });

  it("keeps a player at 0 points on the board since their earliest match", async () => {
    const b = await freshBoard();
    await b.apply(result([["late", 0]], T + 5000), result([["early", 0]], T + 1000), result([["late", 0]], T + 500));
    // "late" has been on the board (at 0) since T+500, "early" since T+1000.
    expect(await b.order()).toEqual(["late", "early"]);
    // Scoring replaces the 0-point era: reached at the scoring match's end.
    await b.apply(result([["early", 3]], T + 100));
    expect(memberReachedAt((await b.member("early"))!)).toBe(T + 100);
  });

  it("gives the same board whatever order the results are applied in (property)", async () => {
    const ids = ["p0", "p1", "p2", "p3", "p4"];
    const match = fc.record({
      at: fc.integer({ min: 0, max: 6 }), // few distinct moments: many same-millisecond ties
      players: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
      scores: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(match, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.integer()), async (ms, rnd) => {
        const results = ms.map((m) => result(m.players.map((p, i) => [ids[p]!, m.scores[i]!] as [string, number]), T + m.at * 1000));
        const shuffled = [...results].map((r) => [rnd.next().value, r] as const).sort((x, y) => x[0] - y[0]).map(([, r]) => r);
        const [one, two] = [await freshBoard(), await freshBoard()];
        await one.apply(...results);
        await two.apply(...shuffled);
        expect(await two.raw()).toEqual(await one.raw());
      }),
      { numRuns: 40 },
    );
  });
});

describe("top-page cache", () => {
  it("refuses to store a page built before a write into the top (no stale page for a whole TTL)", async () => {
    const b = await freshBoard();
    const cache = b.keys.boards.topCache("alltime", "all");
    const gen = b.keys.boards.topGen("alltime", "all");
    await b.apply(result([["a", 1]], T));
    expect(await redis.get(gen)).toBe("1");
    // A reader that read generation "0" (before the write) may not store its page.
    expect(await b.scripts.run("boardCacheSet", [cache, gen], ["stale", 60_000, "0"])).toBe(0);
    expect(await redis.exists(cache)).toBe(0);
    expect(await b.scripts.run("boardCacheSet", [cache, gen], ["fresh", 60_000, "1"])).toBe(1);
    // A write below the cached top 100 leaves the cache alone; one into it drops the cache.
    await b.apply(result(Array.from({ length: 100 }, (_, i) => [`f${i}`, 50] as [string, number]), T + 1));
    expect(await redis.exists(cache)).toBe(0);
    await b.scripts.run("boardCacheSet", [cache, gen], ["fresh", 60_000, (await redis.get(gen))!]);
    await b.apply(result([["low", 0]], T + 2));
    expect(await redis.get(cache)).toBe("fresh");
    await b.apply(result([["high", 60]], T + 3));
    expect(await redis.exists(cache)).toBe(0);
  });
});

describe("precision bounds (2^53 points, 10^13 ms)", () => {
  it("stores the largest total exactly and still orders ties there by time", async () => {
    const b = await freshBoard();
    await b.apply(result([["late", MAX_BOARD_POINTS]], T + 2), result([["first", MAX_BOARD_POINTS]], T + 1), result([["below", MAX_BOARD_POINTS - 1]], T));
    expect(await b.order()).toEqual(["first", "late", "below"]);
    const raw = await b.raw();
    // Exact round trip of 2^53 - 1 and 2^53 - 2 through RedisClient (scores are doubles).
    expect([raw[1], raw[3], raw[5]]).toEqual([String(2 ** 53 - 1), String(2 ** 53 - 1), String(2 ** 53 - 2)]);
    expect(await b.points("below")).toBe(MAX_BOARD_POINTS - 1);
  });

  it("clamps totals at 2^53 - 1 instead of losing precision", async () => {
    const b = await freshBoard();
    await b.apply(result([["f", MAX_BOARD_POINTS - 1]], T), result([["f", 50]], T + 1));
    expect(await b.points("f")).toBe(MAX_BOARD_POINTS);
    expect(await b.raw()).toEqual([expect.any(String), "9007199254740991"]);
  });

  it("past 2^53 RedisClient cannot tell neighbouring totals apart: why the bound exists", async () => {
    const k = `${uniquePrefix("beyond")}z`;
    await redis.zadd(k, "9007199254740993", "a", "9007199254740992", "b");
    expect(await redis.zscore(k, "a")).toBe(await redis.zscore(k, "b"));
    await redis.del(k);
  });

  it("orders by time up to the last representable millisecond and refuses later end times", async () => {
    const b = await freshBoard();
    await b.apply(result([["last", 1]], MAX_REACHED_AT), result([["epoch", 1]], 0));
    expect(await b.order()).toEqual(["epoch", "last"]);
    expect(memberReachedAt((await b.member("last"))!)).toBe(MAX_REACHED_AT);
    const tooLate = result([["x", 1]], MAX_REACHED_AT + 1);
    expect(parseEntry("1-0", ["result", JSON.stringify(tooLate)])).toMatchObject({ invalid: "result fails the schema" });
  });

  it("treats placements past 99 as 99 and then orders by player id", async () => {
    const players = Array.from({ length: 101 }, (_, i) => [`q${String(i).padStart(3, "0")}`, 1] as [string, number]);
    const b = await freshBoard();
    await b.apply(result(players, T));
    const order = await b.order();
    expect(order.slice(0, 98)).toEqual(players.slice(0, 98).map(([id]) => id));
    // Placements 99, 100, 101 share the last slot: player id descending.
    expect(order.slice(98)).toEqual(["q100", "q099", "q098"]);
  });
});
