/**
 * Many nodes as one, in one process (separate processes and kill -9 are in failover.test.ts): the node
 * registry and host picking, snapshots and inputs across nodes, and a graceful hand-over of a match.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor, strictlyIncreasing } from "./helpers/match-client.ts";
import { TestCluster, type TestClient } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { NodeRegistry } from "../server/nodes/node-registry.ts";
import type { Snapshot } from "../shared/game/types.ts";

const ADMIN = "admin-token-for-tests-0123456789";
const tc = new TestCluster({
  prefix: uniquePrefix("nodes"),
  env: {
    ADMIN_TOKEN: ADMIN,
    HEARTBEAT_INTERVAL_MS: "200",
    NODE_TTL_MS: "1000",
    TICK_HZ: "20",
    MATCH_COUNTDOWN_MS: "300",
    MATCH_DURATION_MS: "2500",
    MATCH_LEASE_MS: "1500",
    CHECKPOINT_INTERVAL_MS: "300",
  },
});
const redis = tc.redis;
let a: RunningNode;
let b: RunningNode;
const nodesOf = (n: RunningNode) => n.service("nodes");
const matchesOf = (n: RunningNode) => n.service("matches");

beforeAll(async () => {
  a = await tc.startNode("node-a");
  b = await tc.startNode("node-b");
});
afterAll(() => tc.cleanup());

async function playersOn(...spec: [RunningNode, string][]): Promise<{ logged: TestClient["session"][]; conns: TestClient[] }> {
  const conns = await tc.players(...spec);
  return { logged: conns.map((c) => c.session), conns };
}

describe("node registry", () => {
  it("lists live nodes with their load, on the admin API", async () => {
    const res = await a.app.inject({ method: "GET", url: "/admin/api/nodes", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(200);
    const nodes = (res.json() as { nodes: { nodeId: string; ccu: number; matches: number; lagMs: number; url: string; startedAt: number }[] }).nodes;
    expect(nodes.map((n) => n.nodeId).sort()).toEqual(["node-a", "node-b"]);
    for (const n of nodes) {
      expect(n.url).toMatch(/^http:\/\/.+:\d+$/);
      expect(n.startedAt).toBeGreaterThan(0);
      expect(n.lagMs).toBeGreaterThanOrEqual(0);
    }
    expect(await redis.pttl(a.core.keys.nodes.node("node-a"))).toBeGreaterThan(0);
    expect((await a.app.inject({ method: "GET", url: "/admin/api/nodes" })).statusCode).toBe(401);
  });

  it("drops a node that stops heartbeating, and counts sockets", async () => {
    const reg = new NodeRegistry(redis, a.core.keys, 400);
    await reg.heartbeat("ghost", { ccu: 0, matches: 0, lagMs: 0, startedAt: 1, url: "http://ghost:1" }, Date.now());
    expect((await reg.list()).map((n) => n.nodeId)).toContain("ghost");
    await waitFor(async () => !(await reg.list()).some((n) => n.nodeId === "ghost"), 3000);
    expect(await redis.zscore(a.core.keys.nodes.registry, "ghost")).toBeNull();
    await waitFor(() => !nodesOf(b).isAlive("ghost"));

    const { conns } = await playersOn([b, "Counted"]);
    await waitFor(async () => (await redis.hget(a.core.keys.nodes.node("node-b"), "ccu")) === "1", 3000);
    conns[0]!.close();
  });

  it("picks the least-loaded live node, and spreads a burst", async () => {
    const reg = new NodeRegistry(redis, a.core.keys, 2000);
    // a and b host nothing; a busy fake node must never be picked.
    await reg.heartbeat("busy", { ccu: 900, matches: 40, lagMs: 30, startedAt: 1, url: "x" }, Date.now());
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) picks.push(await nodesOf(a).pickHost());
    expect(picks).not.toContain("busy");
    // Both idle nodes get part of a burst (the picks count until their heartbeats show them).
    expect(new Set(picks)).toEqual(new Set(["node-a", "node-b"]));
    await reg.remove("busy");
  });
});

describe("matches across nodes", () => {
  it("fans snapshots out to players on every node and routes inputs to the host", async () => {
    // Host b; one player on a, one on b: b's player is local, a's inputs cross Redis.
    const { logged, conns } = await playersOn([a, "OnA"], [b, "OnB"]);
    const [pa, pb] = conns as [TestClient, TestClient];
    const rec = matchRecordFor(logged, "node-b");
    await createMatch(redis, tc.keys, rec);
    const [sa, sb] = await Promise.all([pa.next("match:start", 5000), pb.next("match:start", 5000)]);
    expect([sa.you, sb.you]).toEqual([0, 1]);
    expect(matchesOf(b).hosted(rec.matchId)).toBeDefined();
    expect(matchesOf(a).hosted(rec.matchId)).toBeUndefined();
    await pa.until(() => pa.snapshots().some((s) => s.ph === "playing"), 5000, "playing");
    let seq = 0;
    const steer = setInterval(() => {
      seq++;
      pa.input(seq, 1, 0);
      pb.input(seq, 0, 1);
    }, 50);
    await Promise.all([pa.next("match:end", 15_000), pb.next("match:end", 15_000)]);
    clearInterval(steer);

    const na = pa.snapshots();
    const nb = pb.snapshots();
    expect(strictlyIncreasing(na) && strictlyIncreasing(nb)).toBe(true);
    // The same snapshots reach both: compare the stretch both were subscribed for.
    const from = Math.max(na[0]!.n, nb[0]!.n);
    const seqA = na.filter((s) => s.n >= from).map((s) => s.n);
    const seqB = nb.filter((s) => s.n >= from).map((s) => s.n);
    expect(seqA.length).toBeGreaterThan(40);
    const common = seqA.filter((n) => seqB.includes(n));
    expect(common.length).toBeGreaterThanOrEqual(Math.min(seqA.length, seqB.length) - 2);
    // a's player (remote from the host) moved right, b's player (local) moved down.
    const first = na.find((s) => s.ph === "playing")!;
    const last = na.at(-1)!;
    expect(last.p[0]![1]).toBeGreaterThan(first.p[0]![1] + 100);
    expect(last.p[1]![2]).toBeGreaterThan(first.p[1]![2] + 100);
    expect(last.p[0]![4]).toBeGreaterThan(10);
  });

  it("broadcasts through the adapter when the host has no player at all", async () => {
    const { logged, conns } = await playersOn([a, "Far1"], [a, "Far2"]);
    const rec = matchRecordFor(logged, "node-b");
    await createMatch(redis, tc.keys, rec);
    await Promise.all(conns.map((c) => c.until(() => c.snapshots().filter((s) => s.m === rec.matchId && s.ph === "playing").length > 5, 6000, "snapshots")));
    expect(matchesOf(b).hosted(rec.matchId)).toBeDefined();
    await Promise.all(conns.map((c) => c.next("match:end", 15_000)));
  });

  it("a resumed old match does not pull back a player now playing a newer one", async () => {
    const { logged, conns } = await playersOn([a, "Mover"], [b, "Other"]);
    const rec = matchRecordFor(logged, "node-b");
    await createMatch(redis, tc.keys, rec);
    await conns[0]!.next("match:start", 10_000);
    // Another node announces that an older match of this player was resumed after a failover.
    const stale = { matchId: "m-abandoned", hostNodeId: "node-b", resumed: true, start: { ...conns[0]!.starts()[0]!, matchId: "m-abandoned" } };
    b.io.serverSideEmit("match:hosted", stale);
    await new Promise((r) => setTimeout(r, 500));
    expect(conns[0]!.starts().map((st) => st.matchId)).toEqual([rec.matchId]);
    expect((matchesOf(a) as unknown as { router: { routeOf(p: string): { matchId: string } | undefined } }).router.routeOf(logged[0]!.playerId)?.matchId).toBe(rec.matchId);
  });

  it("hands a match over at graceful stop: another node resumes it and tells the players", async () => {
    // Stopped below; cleanup() stops it too if the test fails before.
    const c = await tc.startNode("node-c");
    const { logged, conns } = await playersOn([a, "Keep1"], [b, "Keep2"]);
    const rec = matchRecordFor(logged, "node-c");
    await createMatch(redis, tc.keys, rec);
    await Promise.all(conns.map((x) => x.until(() => x.snapshots().filter((s) => s.ph === "playing").length > 3, 6000, "playing")));
    // The chosen host took it, even though the others learnt of node-c moments ago.
    expect(matchesOf(c).hosted(rec.matchId)).toBeDefined();
    const lastBefore = conns[0]!.snapshots().at(-1)!;
    const t0 = performance.now();
    await tc.stopNode("node-c");
    const resumed = await Promise.all(conns.map((x) => x.next("match:resumed", 5000)));
    const took = performance.now() - t0;
    expect(resumed[0]!.matchId).toBe(rec.matchId);
    expect(["node-a", "node-b"]).toContain(resumed[0]!.hostNodeId);
    // Released, not lapsed: no lease wait.
    expect(took).toBeLessThan(1500);
    const after = await conns[0]!.until(() => conns[0]!.snapshots().find((s: Snapshot) => s.n > lastBefore.n), 3000, "snapshot after hand-over");
    // Continued from the hand-over checkpoint: the tick did not go back to the start.
    expect(after.n).toBeGreaterThan(lastBefore.n - 2);
    await Promise.all(conns.map((x) => x.next("match:end", 15_000)));
  });
});
