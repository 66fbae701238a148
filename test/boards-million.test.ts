import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../server/redis/connection.ts";
import { redisClient } from "./helpers/harness.ts";
import { startBoardsNode } from "./boards-helpers.ts";
import type { RunningNode } from "../server/node.ts";
import { boardMember } from "../server/boards/board-encoding.ts";
import type { LeaderboardAround, LeaderboardPage, PlayerProfile } from "../shared/protocol.ts";

const N = 1_000_000;
/** Member i ranks i + 1: groups of 4 share their points and reached them in index order. */
const points = (i: number) => Math.floor((N - 1 - i) / 4);
const reachedAt = (i: number) => Date.parse("2026-01-01T00:00:00Z") + (i % 4);

let node: RunningNode;
let redis: RedisClient;
let board: string;
let members: string;

beforeAll(async () => {
  node = await startBoardsNode();
  redis = redisClient();
  board = node.core.keys.boards.board("alltime", "all");
  members = node.core.keys.boards.members("alltime", "all");
  // Pipelined load: 1,000 members per ZADD / HSET, 100 of each per round trip.
  const CHUNK = 1000;
  for (let base = 0; base < N; base += CHUNK * 100) {
    const p = redis.pipeline();
    for (let c = base; c < Math.min(N, base + CHUNK * 100); c += CHUNK) {
      const z: (string | number)[] = [];
      const h: string[] = [];
      for (let i = c; i < c + CHUNK; i++) {
        const member = boardMember(reachedAt(i), 1, `m${i}`);
        z.push(points(i), member);
        h.push(`m${i}`, member);
      }
      p.zadd(board, ...z);
      p.hset(members, ...h);
    }
    await p.exec();
  }
  await redis.hset(node.core.keys.players.profile("m654321"), { name: "Deep", rating: "1234", games: "3" });
}, 120_000);
afterAll(async () => {
  await Promise.all([redis.unlink(board, members), redis.unlink(node.core.keys.players.profile("m654321"))]);
  await node.stop();
  await redis.quit();
});

const get = async <T>(path: string) => (await (await fetch(`${node.url}${path}`)).json()) as T;
const expectRanks = (entries: { rank: number; playerId: string; score: number }[], firstIndex: number) =>
  entries.forEach((e, k) => expect([e.rank, e.playerId, e.score]).toEqual([firstIndex + k + 1, `m${firstIndex + k}`, points(firstIndex + k)]));

describe("a 1,000,000-member board", () => {
  it("holds every member", async () => {
    expect(await redis.zcard(board)).toBe(N);
  });

  it("serves the top, the middle and the bottom with exact ranks", async () => {
    const top = await get<LeaderboardPage>("/api/leaderboards/alltime?limit=100");
    expect(top.total).toBe(N);
    expect(top.entries).toHaveLength(100);
    expectRanks(top.entries, 0);
    const mid = await get<LeaderboardPage>("/api/leaderboards/alltime?limit=50&offset=500000");
    expectRanks(mid.entries, 500_000);
    const bottom = await get<LeaderboardPage>("/api/leaderboards/alltime?limit=100&offset=999990");
    expect(bottom.entries).toHaveLength(10);
    expectRanks(bottom.entries, 999_990);
    expect(bottom.entries.at(-1)).toMatchObject({ rank: N, playerId: `m${N - 1}`, score: 0 });
    expect((await get<LeaderboardPage>(`/api/leaderboards/alltime?offset=${N}`)).entries).toEqual([]);
  });

  it("answers around-me at rank 1, deep inside and at the last rank", async () => {
    const first = await get<LeaderboardAround>("/api/leaderboards/alltime/around/m0?radius=5");
    expect(first.rank).toBe(1);
    expectRanks(first.entries, 0);
    expect(first.entries).toHaveLength(6);
    const deep = await get<LeaderboardAround>("/api/leaderboards/alltime/around/m654321?radius=5");
    expect(deep.rank).toBe(654_322);
    expectRanks(deep.entries, 654_316);
    expect(deep.entries[5]).toMatchObject({ playerId: "m654321", name: "Deep" });
    const last = await get<LeaderboardAround>(`/api/leaderboards/alltime/around/m${N - 1}?radius=5`);
    expect(last.rank).toBe(N);
    expectRanks(last.entries, N - 6);
  });

  it("reports a player's rank on it", async () => {
    const p = await get<PlayerProfile>("/api/players/m654321");
    expect(p).toMatchObject({ name: "Deep", rating: 1234, games: 3, ranks: { alltime: { rank: 654_322, score: points(654_321) }, daily: null } });
  });
});
