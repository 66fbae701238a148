import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import { BOARDS_ONLY, FAST, boardsOf, pid, result } from "./boards-helpers.ts";
import type { RunningNode } from "../server/node.ts";
import { appendMatchResult } from "../server/boards/match-result.ts";
import type { BoardsTop, LeaderboardAround, LeaderboardPage, PlayerProfile } from "../shared/protocol.ts";
import { dayOf } from "../server/boards/periods.ts";

const ADMIN = "admin-token-for-boards-tests";
const tc = new TestCluster({ prefix: uniquePrefix("api"), env: { ...FAST, ADMIN_TOKEN: ADMIN, BOARDS_PUSH_INTERVAL_MS: "400" } });
const { redis, keys } = tc;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("api-a", {}, { features: BOARDS_ONLY });
  b = await tc.startNode("api-b", {}, { features: BOARDS_ONLY });
});
afterAll(() => tc.cleanup());

const getJson = async <T>(node: RunningNode, path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${node.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as T };
};
const admin = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});
/** Waits until the consumers acked every result appended so far (all steps of each are done). */
async function drained() {
  await waitFor(async () => {
    const [groupInfo] = (await redis.xinfo("GROUPS", keys.boards.results)) as unknown[][];
    const g = Object.fromEntries(Array.from({ length: groupInfo!.length / 2 }, (_, i) => [groupInfo![2 * i], groupInfo![2 * i + 1]]));
    const info = (await redis.xinfo("STREAM", keys.boards.results)) as unknown[];
    return g["last-delivered-id"] === info[info.indexOf("last-generated-id") + 1] && g.pending === 0;
  }, 10_000);
}

describe("leaderboard pages and around-me (weekly board, 250 players, many ties)", () => {
  const players = Array.from({ length: 250 }, (_, i) => `w${String(i).padStart(3, "0")}${pid("")}`);
  let expectedOrder: string[];

  beforeAll(async () => {
    // Points in 25 groups of 10 equal totals. Matches (10 players each) end one second apart, appended in
    // a shuffled order: equal totals rank by match end time, then placement, whatever the apply order.
    const arrivals = [...players].sort(() => Math.random() - 0.5);
    // Inside today (UTC) so the current daily and weekly boards hold them even just after midnight.
    const base = Math.max(Math.floor(Date.now() / 86_400_000) * 86_400_000, Date.now() - 60_000);
    const matches = Array.from({ length: 25 }, (_, m) => result(arrivals.slice(m * 10, m * 10 + 10).map((p) => [p, (players.indexOf(p) % 25) * 4 + 1]), base + m * 1000));
    for (const r of [...matches].sort(() => Math.random() - 0.5)) await appendMatchResult(redis, keys, r);
    await drained();
    const pts = (p: string) => (players.indexOf(p) % 25) * 4 + 1;
    // Arrival index = match index * 10 + placement - 1: exactly the (end time, placement) order.
    expectedOrder = [...arrivals].sort((x, y) => pts(y) - pts(x) || arrivals.indexOf(x) - arrivals.indexOf(y));
  });

  it("pages cover the board once, with consecutive ranks, on either node, cached or not", async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 260; offset += 37) {
      const node = offset % 2 ? a : b;
      const { status, body } = await getJson<LeaderboardPage>(node, `/api/leaderboards/weekly?limit=37&offset=${offset}`);
      expect(status).toBe(200);
      expect(body.total).toBe(250);
      body.entries.forEach((e, i) => expect(e.rank).toBe(offset + i + 1));
      seen.push(...body.entries.map((e) => e.playerId));
    }
    expect(seen).toEqual(expectedOrder);
    // The cached top-100 page agrees with the live read of the same ranks.
    const cached = (await getJson<LeaderboardPage>(a, "/api/leaderboards/weekly?limit=100")).body.entries;
    const live = (await getJson<LeaderboardPage>(a, "/api/leaderboards/weekly?limit=50&offset=50")).body.entries;
    expect(cached.slice(50)).toEqual(live);
    expect(cached[0]).toMatchObject({ rank: 1, name: `N-${expectedOrder[0]}`, score: 97 });
  });

  it("around-me works at rank 1, in the middle and at the last rank, consistent with pages", async () => {
    const first = await getJson<LeaderboardAround>(a, `/api/leaderboards/weekly/around/${expectedOrder[0]}?radius=3`);
    expect(first.body.rank).toBe(1);
    expect(first.body.entries.map((e) => e.rank)).toEqual([1, 2, 3, 4]);
    expect(first.body.entries.map((e) => e.playerId)).toEqual(expectedOrder.slice(0, 4));
    const last = await getJson<LeaderboardAround>(a, `/api/leaderboards/weekly/around/${expectedOrder[249]}?radius=3`);
    expect(last.body.rank).toBe(250);
    expect(last.body.entries.map((e) => e.rank)).toEqual([247, 248, 249, 250]);
    expect(last.body.entries.map((e) => e.playerId)).toEqual(expectedOrder.slice(246));
    const mid = await getJson<LeaderboardAround>(b, `/api/leaderboards/weekly/around/${expectedOrder[120]}`);
    expect(mid.body.rank).toBe(121);
    expect(mid.body.entries.map((e) => e.playerId)).toEqual(expectedOrder.slice(115, 126));
    const alone = await getJson<LeaderboardAround>(b, `/api/leaderboards/weekly/around/${expectedOrder[7]}?radius=0`);
    expect(alone.body.entries).toEqual([expect.objectContaining({ rank: 8, playerId: expectedOrder[7] })]);
    expect((await getJson(a, `/api/leaderboards/weekly/around/${pid()}`)).status).toBe(404);
  });

  it("returns a player's stats, rating and ranks", async () => {
    const top = expectedOrder[0]!;
    const { status, body } = await getJson<PlayerProfile>(a, `/api/players/${top}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ playerId: top, name: `N-${top}`, games: 1, total: 97, best: 97, ranks: { alltime: { rank: 1, score: 97 }, weekly: { rank: 1 }, daily: { rank: 1 } } });
    expect(typeof body.rating).toBe("number");
    expect((await getJson(a, `/api/players/${pid()}`)).status).toBe(404);
  });

  it("validates params and query strings", async () => {
    for (const path of [
      "/api/leaderboards/monthly",
      "/api/leaderboards/daily?limit=0",
      "/api/leaderboards/daily?limit=101",
      "/api/leaderboards/daily?offset=-1",
      "/api/leaderboards/daily?date=2026-02-30",
      "/api/leaderboards/daily?date=2026-W05",
      "/api/leaderboards/weekly?date=2025-W53",
      "/api/leaderboards/daily?extra=1",
      "/api/leaderboards/daily/around/x?radius=51",
      "/api/players/bad%20id",
    ]) {
      const { status, body } = await getJson<{ error: { code: string } }>(a, path);
      expect([path, status, body.error.code]).toEqual([path, 400, "INVALID_PAYLOAD"]);
    }
  });
});

describe("socket subscriptions", () => {
  it("pushes the top 10 to subscribers on every node, once per change, throttled", async () => {
    const [onA, onB] = await tc.players([a, "SubA"], [b, "SubB"]);
    const first = await onA.request("boards:subscribe", { period: "daily" });
    expect(first).toMatchObject({ ok: true, data: { period: "daily" } });
    expect(await onB.request("boards:subscribe", { period: "daily" })).toMatchObject({ ok: true });
    // Untyped on purpose: a period the protocol does not have.
    expect(await request(onB.typed, "boards:subscribe", { period: "hourly" })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    // Let any push of the earlier tests pass, then count.
    await new Promise((r) => setTimeout(r, 900));
    const gotA: BoardsTop[] = [];
    const gotB: BoardsTop[] = [];
    onA.typed.on("boards:top", (t) => gotA.push(t));
    onB.typed.on("boards:top", (t) => gotB.push(t));
    const star = pid("star");
    await appendMatchResult(redis, keys, result([[star, 5000]]));
    await waitFor(() => gotA.length >= 1 && gotB.length >= 1, 5000);
    await new Promise((r) => setTimeout(r, 1200));
    // Two nodes, one change: one push reached each subscriber (not one per node).
    expect(gotA).toHaveLength(1);
    expect(gotB).toHaveLength(1);
    expect(gotB[0]!.entries[0]).toMatchObject({ rank: 1, playerId: star, score: 5000 });
    expect(gotB[0]!.entries.length).toBeLessThanOrEqual(10);

    // A burst of changes is throttled; the last push shows the final state.
    const t0 = Date.now();
    for (let i = 1; i <= 8; i++) {
      await appendMatchResult(redis, keys, result([[star, 1]]));
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitFor(() => gotB.at(-1)!.entries[0]!.score === 5008, 5000);
    const burst = gotB.length - 1;
    expect(burst).toBeGreaterThanOrEqual(1);
    expect(burst).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 400) + 1);

    // After unsubscribing, no more pushes.
    expect(await onB.request("boards:unsubscribe", { period: "daily" })).toMatchObject({ ok: true, data: { unsubscribed: true } });
    const before = gotB.length;
    await appendMatchResult(redis, keys, result([[star, 1]]));
    await waitFor(() => gotA.at(-1)!.entries[0]!.score === 5009, 5000);
    expect(gotB.length).toBe(before);
  });
});

describe("analytics and admin", () => {
  it("counts unique players, matches per day and per-minute series", async () => {
    await tc.player(a, "Counted");
    await tc.player(b, "Counted2");
    boardsOf(a).record("queueJoins");
    boardsOf(b).record("queueJoins", 2);
    boardsOf(a).record("matchesStarted");
    await Promise.all([boardsOf(a).analytics.flush(), boardsOf(b).analytics.flush()]);
    // Unique players are recorded after the connection, without delaying it.
    await waitFor(async () => (await redis.pfcount(keys.analytics.uniques(dayOf(Date.now())))) >= 4);
    const daily = await getJson<{ days: { day: string; uniquePlayers: number; matches: number; queueJoins: number; matchesStarted: number }[] }>(a, "/admin/api/analytics/daily?days=2", admin("GET"));
    expect(daily.status).toBe(200);
    const today = daily.body.days[0]!;
    expect(today.day).toBe(dayOf(Date.now()));
    expect(today.uniquePlayers).toBeGreaterThanOrEqual(4);
    expect(today.matches).toBe(Number(await redis.hget(keys.boards.meta("alltime", "all"), "matches")));
    expect(today.queueJoins).toBe(3);
    expect(today.matchesStarted).toBe(1);
    const minutes = await getJson<{ minutes: { at: string; ccu: number; queueJoins: number }[] }>(b, "/admin/api/analytics/minutes?minutes=3", admin("GET"));
    expect(minutes.body.minutes).toHaveLength(3);
    const sum = minutes.body.minutes.reduce((acc, m) => acc + m.queueJoins, 0);
    expect(sum).toBe(3);
    // CCU of the current minute sums both nodes' samples.
    await waitFor(async () => (await getJson<{ minutes: { ccu: number }[] }>(a, "/admin/api/analytics/minutes?minutes=1", admin("GET"))).body.minutes[0]!.ccu >= 2);
    expect((await getJson(a, "/admin/api/analytics/daily")).status).toBe(401);
  });

  it("lets an operator set, remove and reset board entries", async () => {
    const who = pid("op");
    expect((await getJson(a, `/admin/api/leaderboards/daily/players/${who}`, admin("PUT", { score: 999_999 }))).status).toBe(200);
    const page = await getJson<LeaderboardPage>(b, "/api/leaderboards/daily?limit=1");
    expect(page.body.entries[0]).toMatchObject({ rank: 1, playerId: who, score: 999_999 });
    expect((await getJson(a, `/admin/api/leaderboards/daily/players/${who}`, admin("DELETE"))).status).toBe(200);
    expect((await getJson(a, `/admin/api/leaderboards/daily/players/${who}`, admin("DELETE"))).status).toBe(404);
    expect((await getJson(a, `/admin/api/leaderboards/daily/players/${who}`, admin("PUT", { score: -1 }))).status).toBe(400);
    // A reset needs the typed confirmation "<period>:<instance>" (admin feature).
    const day = (await getJson<LeaderboardPage>(a, "/api/leaderboards/daily")).body.instance;
    expect((await getJson(a, "/admin/api/leaderboards/daily/reset", admin("POST"))).status).toBe(400);
    expect((await getJson(a, "/admin/api/leaderboards/daily/reset", admin("POST", { confirm: `daily:${day}` }))).status).toBe(200);
    expect((await getJson<LeaderboardPage>(a, "/api/leaderboards/daily")).body).toMatchObject({ total: 0, entries: [] });
    expect((await getJson<LeaderboardPage>(a, "/api/leaderboards/weekly?limit=1")).body.total).toBeGreaterThan(0);
  });
});
