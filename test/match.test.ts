/**
 * The match runtime on one node, end to end: a match record as the matchmaker writes it, real socket.io
 * clients, short timings. A full match between two clients (start, snapshots, inputs, end, one result),
 * hostile inputs, reconnect within the grace, and no way back after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { masters, type RedisClient } from "../server/redis/connection.ts";
import { login, redisClient, startTestNode, waitFor } from "./helpers/harness.ts";
import { monitorRedis } from "./helpers/redis-monitor.ts";
import { RecordingClient, createMatch, matchRecordFor, strictlyIncreasing } from "./helpers/match-client.ts";
import type { RunningNode } from "../server/node.ts";
import { RESULT_FIELDS, type MatchResult } from "../server/boards/match-result.ts";
import type { MatchEnd, MatchStart } from "../shared/game/types.ts";

let node: RunningNode;
let redis: RedisClient;
const clients: RecordingClient[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  node = await startTestNode({
    NODE_ID: "solo",
    TICK_HZ: "20",
    MATCH_COUNTDOWN_MS: "300",
    MATCH_DURATION_MS: "2500",
    RECONNECT_GRACE_MS: "1500",
    MATCH_LEASE_MS: "1500",
    CHECKPOINT_INTERVAL_MS: "300",
  });
  redis = redisClient();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await node.stop();
  await redis.quit();
});

async function players(...names: string[]) {
  const logged = await Promise.all(names.map((n) => login(node, n)));
  const conns = await Promise.all(logged.map((p) => RecordingClient.connect(node.url, p.token)));
  clients.push(...conns);
  return { logged, conns };
}

const matches = () => node.service("matches");

describe("match runtime on one node", () => {
  it("plays a full match between two clients: start, snapshots, inputs, end, one result", async () => {
    const { logged, conns } = await players("Ann", "Bob");
    const [a, b] = conns as [RecordingClient, RecordingClient];
    const rec = matchRecordFor(logged, node.core.nodeId);
    await createMatch(redis, node.core.keys, rec);

    const [sa, sb] = await Promise.all([a.next<MatchStart>("match:start", 5000), b.next<MatchStart>("match:start", 5000)]);
    expect(sa).toMatchObject({ matchId: rec.matchId, you: 0, tickHz: 20, seed: 1234, durationMs: 2500 });
    expect(sb.you).toBe(1);
    expect(sa.players.map((p) => p.name)).toEqual(["Ann", "Bob"]);

    // Ann steers right for the whole match; Bob sends nothing (stands still).
    let seq = 0;
    const steer = setInterval(() => a.input(++seq, 1, 0), 50);
    const [ea, eb] = await Promise.all([a.next<MatchEnd>("match:end", 15_000), b.next<MatchEnd>("match:end", 15_000)]);
    clearInterval(steer);

    expect(ea).toEqual(eb);
    expect(ea.matchId).toBe(rec.matchId);
    expect(ea.results.map((r) => r.playerId).sort()).toEqual(logged.map((p) => p.playerId).sort());
    expect(ea.results.every((r) => r.placement >= 1 && r.score >= 0), "placements").toBe(true);
    expect(a.ends()).toHaveLength(1);

    // Snapshots: in order, through countdown -> playing -> ended, the same stream for both players.
    for (const c of [a, b]) {
      const snaps = c.snapshots();
      expect(snaps.length).toBeGreaterThan(20);
      expect(strictlyIncreasing(snaps), `in order: ${snaps.map((s) => s.n).join(",")}`).toBe(true);
      expect(snaps.some((s) => s.ph === "countdown"), `countdown seen: ${snaps.slice(0, 5).map((s) => `${s.n}:${s.ph}`).join(",")}`).toBe(true);
      expect(snaps.some((s) => s.ph === "playing"), "playing seen").toBe(true);
      expect(snaps.at(-1)!.ph).toBe("ended");
    }
    const snaps = a.snapshots();
    const last = snaps.at(-1)!;
    const first = snaps.find((s) => s.ph === "playing")!;
    // Ann moved right (from directions only) and her input sequence was echoed back; Bob did not move.
    expect(last.p[0]![1]).toBeGreaterThan(first.p[0]![1] + 100);
    expect(last.p[0]![4]).toBeGreaterThan(10);
    expect(last.p[1]![1]).toBe(first.p[1]![1]);
    for (const r of ea.results) expect(last.p[sa.players.find((p) => p.playerId === r.playerId)!.index]![3]).toBe(r.score);

    // Redis: one result on the stream, the record ended, out of the active set, pointers gone.
    const k = node.core.keys;
    const entries = (await redis.xrange(k.boards.results, "-", "+")).filter(([, f]) => f[f.indexOf(RESULT_FIELDS.matchId) + 1] === rec.matchId);
    expect(entries).toHaveLength(1);
    const fields = entries[0]![1];
    const result = JSON.parse(fields[fields.indexOf(RESULT_FIELDS.result) + 1]!) as MatchResult;
    expect(result).toMatchObject({ matchId: rec.matchId, endedAt: ea.endedAt, durationMs: 2500 });
    expect(result.players).toEqual(ea.results);
    await waitFor(async () => (await redis.zscore(k.matches.active, rec.matchId)) === null);
    expect(await redis.hget(k.matches.record(rec.matchId), "status")).toBe("ended");
    expect(await redis.exists(k.matches.lease(rec.matchId), k.matches.checkpoint(rec.matchId))).toBe(0);
    for (const p of logged) expect(await redis.get(k.players.match(p.playerId))).toBeNull();
    expect(matches().hostedCount()).toBe(0);
  });

  it("drops hostile inputs at the edge and clamps what the host receives", async () => {
    const { logged, conns } = await players("Eve", "Max");
    const [e] = conns as [RecordingClient, RecordingClient];
    const rec = matchRecordFor(logged, node.core.nodeId);
    await createMatch(redis, node.core.keys, rec);
    await e.until(() => e.snapshots().some((s) => s.ph === "playing"), 5000, "playing");
    const before = e.snapshots().at(-1)!.p[0]!;
    // Positions, out-of-range directions, strings and extra keys never reach the simulation.
    for (const bad of [{ s: 1, x: 50, y: 0, d: false }, { s: 2, x: 1, y: 0, d: false, px: 9999 }, { s: 3, x: "1", y: 0, d: false }, null, "x"]) {
      e.socket.emit("match:input", bad);
    }
    await sleep(300);
    expect(e.snapshots().at(-1)!.p[0]![1]).toBe(before[1]);
    expect(e.snapshots().at(-1)!.p[0]![4]).toBe(0);
    // Behind the edge, the host checks again: unknown player, stale sequence, non-numbers refused;
    // out-of-range directions clamped.
    const host = matches().hosted(rec.matchId)!;
    expect(host.input(0, 10, 7, -3, false)).toBe(true);
    expect(host.input(0, 9, 0, 0, false)).toBe(false);
    expect(host.input(5, 11, 0, 0, false)).toBe(false);
    expect(host.input(0, 12, Number.NaN, 0, false)).toBe(false);
    const x0 = host.state.players[0]!.x;
    host.tick(50);
    // Clamped to (1, -1), normalised to length 1: at most playerSpeed x 50 ms.
    expect(Math.abs(host.state.players[0]!.x - x0)).toBeLessThanOrEqual(host.state.config.playerSpeed * 0.05 + 1e-6);
  });

  it("puts a player who reloads mid-match back in, same avatar and score, within the grace", async () => {
    const { logged, conns } = await players("Stay", "Drop");
    const [stay, drop] = conns as [RecordingClient, RecordingClient];
    const k = node.core.keys;
    const rec = matchRecordFor(logged, node.core.nodeId);
    await createMatch(redis, node.core.keys, rec);
    await stay.until(() => stay.snapshots().filter((s) => s.ph === "playing").length > 3, 5000, "playing");
    // Drop walks down, then its page reloads.
    let seq = 0;
    const walk = setInterval(() => drop.input(++seq, 0, 1), 50);
    await sleep(400);
    clearInterval(walk);
    drop.close();
    const pointer = k.players.match(logged[1]!.playerId);
    await waitFor(async () => {
      const ttl = await redis.pttl(pointer);
      return ttl > 0 && ttl <= 1500;
    }, 3000);
    // The avatar stops where it is and keeps its score while its player is away.
    await sleep(200);
    const away = stay.snapshots().at(-1)!.p[1]!;
    await sleep(300);
    expect(stay.snapshots().at(-1)!.p[1]![2]).toBe(away[2]);

    const back = await RecordingClient.connect(node.url, logged[1]!.token);
    clients.push(back);
    const start = await back.next<MatchStart>("match:start", 3000);
    expect(start).toMatchObject({ matchId: rec.matchId, you: 1, phase: "playing" });
    const snap = await back.next<{ m: string; p: number[][] }>("match:snapshot", 3000);
    expect(snap.m).toBe(rec.matchId);
    expect(snap.p[1]![3]).toBeGreaterThanOrEqual(away[3]!);
    // The pointer lives for the match again, not just the grace.
    expect(await redis.pttl(pointer)).toBeGreaterThan(10_000);
    // Inputs from the new socket steer the same avatar (continuing the sequence).
    const y0 = stay.snapshots().at(-1)!.p[1]![2]!;
    const walk2 = setInterval(() => back.input(++seq, 0, -1), 50);
    await stay.until(() => stay.snapshots().at(-1)!.p[1]![2]! < y0 - 20, 3000, "avatar moving up");
    clearInterval(walk2);
    await back.next<MatchEnd>("match:end", 15_000);
  });

  it("takes a lapsed lease back when nobody else took the match, without rewinding it", async () => {
    const { logged, conns } = await players("Lap1", "Lap2");
    const [c] = conns as [RecordingClient, RecordingClient];
    const rec = matchRecordFor(logged, node.core.nodeId);
    const lease = node.core.keys.matches.lease(rec.matchId);
    await createMatch(redis, node.core.keys, rec);
    await c.until(() => c.snapshots().filter((s) => s.ph === "playing").length > 3, 5000, "playing");
    expect(await redis.get(lease)).toBe("solo|1");
    // As if the node had stalled past its lease: the key is gone, nobody else took it.
    await redis.del(lease);
    await waitFor(async () => (await redis.get(lease)) === "solo|2", 4000);
    await c.next<MatchEnd>("match:end", 15_000);
    expect(c.resumes()).toHaveLength(0);
    expect(strictlyIncreasing(c.snapshots())).toBe(true);
  });

  it("does not take a player back after the grace", async () => {
    const { logged, conns } = await players("Late", "Other");
    const [late] = conns as [RecordingClient, RecordingClient];
    const rec = matchRecordFor(logged, node.core.nodeId);
    await createMatch(redis, node.core.keys, rec);
    await late.next("match:start", 5000);
    late.close();
    await waitFor(async () => (await redis.exists(node.core.keys.players.match(logged[0]!.playerId))) === 0, 4000);
    const back = await RecordingClient.connect(node.url, logged[0]!.token);
    clients.push(back);
    await sleep(800);
    expect(back.starts()).toHaveLength(0);
    expect(back.snapshots()).toHaveLength(0);
  });
});

describe("match runtime robustness", () => {
  it("survives a failing first scan at start (no unhandled rejection)", async () => {
    const prefix = `test:mstart:${Math.random().toString(36).slice(2, 10)}:`;
    // A key of the wrong type makes the scan's ZRANGE fail (WRONGTYPE), as a RedisClient error at start would.
    await redis.set(`${prefix}matches:active`, "not a sorted set", "PX", 30_000);
    const rejections: unknown[] = [];
    const onRejection = (err: unknown) => void rejections.push(err);
    process.on("unhandledRejection", onRejection);
    let n: RunningNode | null = null;
    try {
      n = await startTestNode({ KEY_PREFIX: prefix, MATCH_LEASE_MS: "1500" });
      await sleep(300);
      expect(rejections).toEqual([]);
    } finally {
      await n?.stop();
      process.off("unhandledRejection", onRejection);
      await redis.del(`${prefix}matches:active`);
    }
  });

  it("finishes an ended match's bookkeeping its host never did: pointers cleared, match delisted", async () => {
    const k = node.core.keys;
    const rec = { ...matchRecordFor([{ playerId: "ended-a", name: "A" }, { playerId: "ended-b", name: "B" }], "dead-host"), status: "ended" as const };
    await createMatch(redis, k, rec);
    // Player b is already in a newer match: that pointer must survive.
    await redis.set(k.players.match("ended-b"), "newer-match", "PX", 30_000);
    await waitFor(async () => (await redis.zscore(k.matches.active, rec.matchId)) === null, 5000);
    expect(await redis.exists(k.players.match("ended-a"))).toBe(0);
    expect(await redis.get(k.players.match("ended-b"))).toBe("newer-match");
  });

  it("reads RedisClient for the host once, not per input, while a match has no host", async () => {
    const { logged, conns } = await players("Gap", "Idle");
    const [a] = conns as [RecordingClient, RecordingClient];
    a.close();
    const k = node.core.keys;
    // A match nobody hosts or may take (no status yet, not in the active set): its player is routed, no host.
    const rec = matchRecordFor(logged, "ghost");
    await redis.hset(k.matches.record(rec.matchId), { matchId: rec.matchId, queue: rec.queue, fence: "1", hostNodeId: "ghost", createdAt: String(Date.now()), seed: "1", players: JSON.stringify(rec.players) });
    await redis.pexpire(k.matches.record(rec.matchId), 30_000);
    await redis.set(k.players.match(logged[0]!.playerId), rec.matchId, "PX", 30_000);
    const back = await RecordingClient.connect(node.url, logged[0]!.token);
    clients.push(back);
    await waitFor(() => matches().router.routeOf(logged[0]!.playerId)?.matchId === rec.matchId, 3000);

    // MONITOR every server that holds data (every master of a cluster).
    const leaseReads: string[] = [];
    const monitors = await Promise.all(
      masters(redis).map((m) =>
        monitorRedis(m.options.host!, m.options.port!, (args) => {
          if (args[0]?.toLowerCase() === "get" && args[1] === k.matches.lease(rec.matchId)) leaseReads.push(args[1]);
        }),
      ),
    );
    try {
      for (let s = 1; s <= 30; s++) {
        back.input(s, 1, 0);
        await sleep(15);
      }
      await sleep(100);
    } finally {
      await Promise.all(monitors.map((m) => m.stop()));
    }
    expect(leaseReads.length).toBeLessThanOrEqual(2);
  });
});
