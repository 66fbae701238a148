import { afterEach, describe, expect, it } from "vitest";
import { masters, type RedisClient } from "../server/redis/connection.ts";
import { keysMatching, redisClient, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { boardsOf, pid, result, standaloneApplier, startBoardsNode } from "./boards-helpers.ts";
import type { RunningNode } from "../server/node.ts";
import { appendMatchResult, type MatchResult } from "../server/boards/match-result.ts";
import { createKeys, type Keys } from "../server/redis/keys.ts";
import { ensureResultsGroup } from "../server/boards/results-consumer.ts";
import { dayOf, isoWeekOf } from "../server/boards/periods.ts";
import type { ResultPlan } from "../server/boards/result-plan.ts";
import type { LeaderboardPeriod } from "../shared/schemas.ts";

const nodes: RunningNode[] = [];
const clients: RedisClient[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(clients.splice(0).map((c) => c.quit()));
});
const client = () => {
  const c = redisClient();
  clients.push(c);
  return c;
};
const track = (n: RunningNode) => (nodes.push(n), n);

/** A player's points on a board (null when not on it). */
const pointsOn = async (redis: RedisClient, keys: Keys, period: LeaderboardPeriod, instance: string, id: string) => {
  const member = await redis.hget(keys.boards.members(period, instance), id);
  const s = member === null ? null : await redis.zscore(keys.boards.board(period, instance), member);
  return s === null ? null : Number(s);
};
const pending = async (redis: RedisClient, keys: Keys) => ((await redis.xpending(keys.boards.results, keys.boards.resultsGroup)) as [number])[0];
const stats = async (redis: RedisClient, keys: Keys, id: string) => redis.hgetall(keys.players.profile(id));

/** Waits until the group has consumed and acked everything appended so far. */
async function drained(redis: RedisClient, keys: Keys) {
  await waitFor(async () => {
    const groups = (await redis.xinfo("GROUPS", keys.boards.results)) as unknown[][];
    const g = groups.map((row) => Object.fromEntries(Array.from({ length: row.length / 2 }, (_, i) => [row[2 * i], row[2 * i + 1]])))[0]!;
    const info = (await redis.xinfo("STREAM", keys.boards.results)) as unknown[];
    const last = info[info.indexOf("last-generated-id") + 1];
    return g["last-delivered-id"] === last && g.pending === 0;
  }, 10_000);
}

/** Expected all-time points of each player from a list of distinct results. */
function totals(results: MatchResult[]) {
  const t = new Map<string, number>();
  for (const r of results) for (const p of r.players) t.set(p.playerId, (t.get(p.playerId) ?? 0) + Math.max(0, Math.floor(p.score)));
  return t;
}

describe("results stream: applied exactly once", () => {
  it("applies each match once across duplicate appends and two consuming nodes", async () => {
    const prefix = uniquePrefix("once");
    const a = track(await startBoardsNode({ KEY_PREFIX: prefix, NODE_ID: "node-a" }));
    const b = track(await startBoardsNode({ KEY_PREFIX: prefix, NODE_ID: "node-b" }));
    const redis = client();
    const keys = createKeys(prefix);
    const players = Array.from({ length: 12 }, () => pid());
    const results: MatchResult[] = [];
    const t = Date.now();
    for (let i = 0; i < 120; i++) {
      const four = [0, 1, 2, 3].map((k) => players[(i * 5 + k * 7) % players.length]!);
      results.push(result(four.map((p, k) => [p, ((i * 13 + k * 29) % 50) + 1]), t));
    }
    // Every fourth match appended twice (a host failing over), interleaved.
    for (const [i, r] of results.entries()) {
      await appendMatchResult(redis, keys, r);
      if (i % 4 === 0) await appendMatchResult(redis, keys, results[Math.max(0, i - 2)]!);
    }
    await drained(redis, keys);
    const expected = totals(results);
    const games = new Map<string, number>();
    for (const r of results) for (const p of r.players) games.set(p.playerId, (games.get(p.playerId) ?? 0) + 1);
    const day = dayOf(t);
    for (const id of players) {
      expect(await pointsOn(redis, keys, "alltime", "all", id)).toBe(expected.get(id));
      expect(await pointsOn(redis, keys, "daily", day, id)).toBe(expected.get(id));
      expect(await pointsOn(redis, keys, "weekly", isoWeekOf(t), id)).toBe(expected.get(id));
      const s = await stats(redis, keys, id);
      expect(Number(s.games)).toBe(games.get(id));
      expect(Number(s.total)).toBe(expected.get(id));
    }
    // Ratings move by the frozen plans, each once: the sum of changes equals the sum of the plans' deltas.
    const plans = await Promise.all(results.map(async (r) => JSON.parse((await redis.get(keys.boards.plan(r.matchId)))!) as ResultPlan));
    const deltas = new Map<string, number>();
    for (const plan of plans) for (const p of plan.players) deltas.set(p.id, (deltas.get(p.id) ?? 0) + p.delta);
    for (const id of players) expect(Number((await stats(redis, keys, id)).rating)).toBe(1000 + deltas.get(id)!);
    expect(Number(await redis.hget(keys.analytics.daily(day), "matches"))).toBe(results.length);
    // Both nodes took part, and the duplicates were seen as such.
    const applied = (n: RunningNode) => n.metrics.resultsApplied.get().then((m) => m.values[0]?.value ?? 0);
    expect((await applied(a)) + (await applied(b))).toBe(results.length);
  });

  it("completes a result half applied by a consumer that died, after XAUTOCLAIM", async () => {
    const prefix = uniquePrefix("dead");
    const redis = client();
    const keys = createKeys(prefix);
    await ensureResultsGroup(redis, keys);
    const [p1, p2, p3] = [pid(), pid(), pid()];
    const r = result([[p1, 30], [p2, 20], [p3, 10]]);
    await appendMatchResult(redis, keys, r);
    // The dead consumer read the entry, planned it, applied the all-time board and p1's stats, then died.
    const read = (await redis.xreadgroup("GROUP", keys.boards.resultsGroup, "dead-node", "COUNT", 10, "STREAMS", keys.boards.results, ">")) as [string, [string, string[]][]][];
    expect(read[0]![1]).toHaveLength(1);
    const { applier } = await standaloneApplier(redis, prefix);
    const plan = (await applier.plan([r])).get(r.matchId)!;
    await applier.applyBoards([plan], ["alltime"]);
    await applier.applyPlayers([plan], (id) => id === p1);
    expect(await pending(redis, keys)).toBe(1);

    // A live node reclaims it once it has been idle RESULTS_CLAIM_IDLE_MS, and finishes the job.
    const node = track(await startBoardsNode({ KEY_PREFIX: prefix, NODE_ID: "survivor" }));
    await waitFor(async () => (await pending(redis, keys)) === 0, 10_000);
    for (const [id, pts] of [[p1, 30], [p2, 20], [p3, 10]] as const) {
      expect(await pointsOn(redis, keys, "alltime", "all", id)).toBe(pts);
      expect(await pointsOn(redis, keys, "daily", plan.day, id)).toBe(pts);
      expect(await pointsOn(redis, keys, "weekly", plan.week, id)).toBe(pts);
      expect((await stats(redis, keys, id)).games).toBe("1");
    }
    expect(Number((await stats(redis, keys, p1)).rating)).toBe(1000 + plan.players[0]!.delta);
    expect((await node.metrics.resultsReclaimed.get()).values[0]?.value).toBe(1);
  });

  it("changes nothing when a fully applied but unacked result is delivered again", async () => {
    const prefix = uniquePrefix("redeliver");
    const redis = client();
    const keys = createKeys(prefix);
    await ensureResultsGroup(redis, keys);
    const [p1, p2] = [pid(), pid()];
    const r = result([[p1, 7], [p2, 3]]);
    await appendMatchResult(redis, keys, r);
    const read = (await redis.xreadgroup("GROUP", keys.boards.resultsGroup, "hung-node", "COUNT", 10, "STREAMS", keys.boards.results, ">")) as [string, [string, string[]][]][];
    const { applier } = await standaloneApplier(redis, prefix);
    // Everything applied, then the consumer hung before XACK.
    const first = await applier.applyEntries(read[0]![1].map(([id, fields]) => ({ id, fields })));
    expect(first.applied).toBe(1);
    const before = await Promise.all([p1, p2].map((id) => stats(redis, keys, id)));
    const node = track(await startBoardsNode({ KEY_PREFIX: prefix, NODE_ID: "survivor" }));
    await waitFor(async () => (await pending(redis, keys)) === 0, 10_000);
    expect(await Promise.all([p1, p2].map((id) => stats(redis, keys, id)))).toEqual(before);
    expect(await pointsOn(redis, keys, "alltime", "all", p1)).toBe(7);
    expect(await redis.hget(keys.analytics.daily(dayOf(r.endedAt)), "matches")).toBe("1");
    expect((await node.metrics.resultsSkipped.get()).values.find((v) => v.labels.reason === "duplicate")?.value).toBe(1);
  });

  it("keeps a match on one day when a duplicate append carries a different end time", async () => {
    const prefix = uniquePrefix("dupday");
    const redis = client();
    const keys = createKeys(prefix);
    // Late evening UTC, inside the accepted age; the failover host ends it just after midnight.
    const t = Date.parse(`${dayOf(Date.now() - 86_400_000)}T23:59:59.900Z`);
    track(await startBoardsNode({ KEY_PREFIX: prefix }));
    const p = pid();
    const r = result([[p, 11]], t);
    await appendMatchResult(redis, keys, r);
    await drained(redis, keys);
    await appendMatchResult(redis, keys, { ...r, endedAt: t + 200 });
    await drained(redis, keys);
    expect(await pointsOn(redis, keys, "daily", dayOf(t), p)).toBe(11);
    expect(await pointsOn(redis, keys, "daily", dayOf(t + 200), p)).toBeNull();
    expect(await pointsOn(redis, keys, "alltime", "all", p)).toBe(11);
    expect((await stats(redis, keys, p)).games).toBe("1");
  });

  it("acks unreadable and too-old entries without applying them, and keeps going", async () => {
    const prefix = uniquePrefix("poison");
    const redis = client();
    const keys = createKeys(prefix);
    const node = track(await startBoardsNode({ KEY_PREFIX: prefix, RESULTS_MAX_AGE_SECONDS: "3600" }));
    const p = pid();
    await redis.xadd(keys.boards.results, "*", "matchId", "x", "result", "{not json");
    await redis.xadd(keys.boards.results, "*", "matchId", "y", "result", JSON.stringify({ matchId: "y", endedAt: 1, durationMs: 1, players: [] }));
    await appendMatchResult(redis, keys, result([[p, 5]], Date.now() - 2 * 3_600_000));
    const fresh = result([[p, 6]]);
    await appendMatchResult(redis, keys, fresh);
    await drained(redis, keys);
    expect(await pointsOn(redis, keys, "alltime", "all", p)).toBe(6);
    const skipped = (await node.metrics.resultsSkipped.get()).values;
    expect(skipped.find((v) => v.labels.reason === "invalid")?.value).toBe(2);
    expect(skipped.find((v) => v.labels.reason === "stale")?.value).toBe(1);
  });

  it("parks an entry RedisClient keeps refusing in the dead-letter stream without holding back the others", async () => {
    const prefix = uniquePrefix("deadletter");
    const redis = client();
    const keys = createKeys(prefix);
    const [good1, bad, good2] = [pid(), pid(), pid()];
    // A player key of the wrong type: every playerApply of this player fails with WRONGTYPE.
    await redis.set(keys.players.profile(bad), "not a hash");
    const node = track(await startBoardsNode({ KEY_PREFIX: prefix, RESULTS_BATCH: "10" }));
    await appendMatchResult(redis, keys, result([[good1, 4]]));
    const poisoned = result([[bad, 5]]);
    await appendMatchResult(redis, keys, poisoned);
    await appendMatchResult(redis, keys, result([[good2, 6]]));
    await waitFor(async () => (await pointsOn(redis, keys, "alltime", "all", good2)) === 6, 10_000);
    expect(await pointsOn(redis, keys, "alltime", "all", good1)).toBe(4);
    await waitFor(async () => (await redis.xlen(keys.boards.resultsDead)) === 1, 15_000);
    await waitFor(async () => (await pending(redis, keys)) === 0, 5000);
    const fields = ((await redis.xrange(keys.boards.resultsDead, "-", "+")) as [string, string[]][])[0]![1];
    expect(fields).toContain(poisoned.matchId);
    expect(fields.join(" ")).toMatch(/WRONGTYPE/);
    expect((await node.metrics.resultsSkipped.get()).values.find((v) => v.labels.reason === "dead_letter")?.value).toBe(1);
  }, 30_000);

  it("recovers when its consumer connection is killed mid-block", async () => {
    const prefix = uniquePrefix("kill");
    const redis = client();
    const keys = createKeys(prefix);
    track(await startBoardsNode({ KEY_PREFIX: prefix, NODE_ID: "victim" }));
    const p = pid();
    await appendMatchResult(redis, keys, result([[p, 1]]));
    await drained(redis, keys);
    // The consumer's connection: on the server holding the results stream (one master of a cluster).
    for (const server of masters(redis)) {
      const line = ((await server.client("LIST")) as string).split("\n").find((l) => l.includes("name=victim:boards-consumer"));
      if (line) await server.client("KILL", "ID", /id=(\d+)/.exec(line)![1]!);
    }
    await appendMatchResult(redis, keys, result([[p, 2]]));
    await drained(redis, keys);
    expect(await pointsOn(redis, keys, "alltime", "all", p)).toBe(3);
  });

  it("stops promptly: no hanging blocking read", async () => {
    const node = await startBoardsNode({ RESULTS_BLOCK_MS: "10000" });
    const t0 = Date.now();
    await node.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(boardsOf(node).reader).toBeDefined();
  });
});

describe("periods with an injected clock", () => {
  it("rolls daily and weekly boards over at UTC midnight / Monday, keeping the archive readable", async () => {
    let now = Date.parse("2026-03-08T23:59:58.000Z"); // Sunday: last day of ISO week 2026-W10
    const node = track(await startBoardsNode({}, () => now));
    const redis = client();
    const keys = node.core.keys;
    const [p, q] = [pid(), pid()];
    await appendMatchResult(redis, keys, result([[p, 40]], now));
    await drained(redis, keys);
    const get = async (path: string) => (await fetch(`${node.url}${path}`)).json() as Promise<{ instance: string; entries: { playerId: string; score: number; rank: number }[] }>;
    expect(await get("/api/leaderboards/daily")).toMatchObject({ instance: "2026-03-08", entries: [{ playerId: p, score: 40, rank: 1 }] });
    expect(await get("/api/leaderboards/weekly")).toMatchObject({ instance: "2026-W10", entries: [{ playerId: p }] });

    now = Date.parse("2026-03-09T00:00:01.000Z"); // Monday
    expect(await get("/api/leaderboards/daily")).toMatchObject({ instance: "2026-03-09", entries: [] });
    expect(await get("/api/leaderboards/weekly")).toMatchObject({ instance: "2026-W11", entries: [] });
    expect(await get("/api/leaderboards/alltime")).toMatchObject({ instance: "all", entries: [{ playerId: p, score: 40 }] });
    expect(await get("/api/leaderboards/daily?date=2026-03-08")).toMatchObject({ entries: [{ playerId: p, score: 40 }] });
    expect(await get("/api/leaderboards/weekly?date=2026-03-02")).toMatchObject({ instance: "2026-W10", entries: [{ playerId: p }] });

    await appendMatchResult(redis, keys, result([[q, 5]], now));
    await drained(redis, keys);
    expect(await get("/api/leaderboards/daily")).toMatchObject({ entries: [{ playerId: q, score: 5, rank: 1 }] });
    expect((await get("/api/leaderboards/alltime")).entries.map((e) => e.playerId)).toEqual([p, q]);
    const profile = (await (await fetch(`${node.url}/api/players/${p}`)).json()) as { ranks: Record<string, unknown> };
    expect(profile.ranks).toEqual({ alltime: { instance: "all", rank: 1, score: 40 }, daily: null, weekly: null });

    // Archives expire at period end plus the grace (7 days / 5 weeks), measured from the injected clock.
    const dayLeft = Date.parse("2026-03-09T00:00:00Z") + 7 * 86_400_000 - now;
    const weekLeft = Date.parse("2026-03-09T00:00:00Z") + 35 * 86_400_000 - now;
    const pttl = (k: string) => redis.pttl(k);
    expect(await pttl(keys.boards.board("daily", "2026-03-09"))).toBeGreaterThan(dayLeft + 86_400_000 - 60_000);
    expect(await pttl(keys.boards.board("weekly", "2026-W11"))).toBeGreaterThan(weekLeft + 7 * 86_400_000 - 60_000);
    expect(await pttl(keys.boards.board("weekly", "2026-W11"))).toBeLessThanOrEqual(weekLeft + 7 * 86_400_000);
  });

  it("puts a TTL on every key it writes except the permanent ones", async () => {
    const node = track(await startBoardsNode({ ADMIN_TOKEN: "x".repeat(16) }));
    const redis = client();
    const keys = node.core.keys;
    const [p, q] = [pid(), pid()];
    await appendMatchResult(redis, keys, result([[p, 3], [q, 2]]));
    await appendMatchResult(redis, keys, result([[q, 3], [p, 2]]));
    await drained(redis, keys);
    boardsOf(node).record("queueJoins");
    boardsOf(node).record("matchesStarted");
    await boardsOf(node).analytics.flush();
    await boardsOf(node).analytics.recordUnique(p);
    // Push bookkeeping and the top cache too.
    await waitFor(async () => (await redis.exists(keys.boards.pushed("daily", dayOf(Date.now())))) === 1);
    await fetch(`${node.url}/api/leaderboards/daily`);
    const all = await keysMatching(redis, `${keys.prefix}*`);
    const permanent = new Set([
      keys.boards.board("alltime", "all"),
      keys.boards.members("alltime", "all"),
      keys.boards.version("alltime", "all"),
      keys.boards.pushed("alltime", "all"),
      keys.boards.topGen("alltime", "all"),
      keys.boards.meta("alltime", "all"),
      keys.players.profile(p),
      keys.players.profile(q),
      keys.boards.results,
      keys.boards.resultsDead,
    ]);
    const ttls = await Promise.all(all.map(async (k) => [k, await redis.pttl(k)] as const));
    const missing = ttls.filter(([k, ttl]) => ttl < 0 && !permanent.has(k)).map(([k]) => k);
    expect(missing).toEqual([]);
    for (const k of [keys.boards.board("daily", dayOf(Date.now())), keys.analytics.daily(dayOf(Date.now())), keys.analytics.uniques(dayOf(Date.now())), keys.analytics.ccu(dayOf(Date.now()))]) {
      expect(all).toContain(k);
    }
    expect(all.length).toBeGreaterThan(20);
  });
});
