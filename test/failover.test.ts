/**
 * Many nodes as separate processes over one real Redis (either engine), killed for real (kill -9, SIGSTOP):
 * snapshots reach every player whatever node they are on; a killed host's match resumes on another node
 * within 3 s and its result is applied once; players of a killed node are back in their match within
 * 5 s on another node; a host frozen past its lease never broadcasts next to its successor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor, strictlyIncreasing, type RecordingClient } from "./helpers/match-client.ts";
import { TestCluster, type NodeProcess } from "./helpers/test-cluster.ts";
import { RESULT_FIELDS } from "../server/boards/match-result.ts";
import type { MatchEnd, MatchStart, Snapshot } from "../shared/game/types.ts";
import type { MatchResumed, PlayerProfile } from "../shared/protocol.ts";

const tc = new TestCluster({
  prefix: uniquePrefix("fo"),
  env: {
    HEARTBEAT_INTERVAL_MS: "250",
    NODE_TTL_MS: "1500",
    TICK_HZ: "20",
    MATCH_COUNTDOWN_MS: "300",
    MATCH_DURATION_MS: "4000",
    MATCH_LEASE_MS: "1500",
    CHECKPOINT_INTERVAL_MS: "500",
    RECONNECT_GRACE_MS: "30000",
    RATE_LIMITS: "login=1000/60s",
  },
});
const redis = tc.redis;
const keys = tc.keys;
const procs = { get: (id: string): NodeProcess => tc.process(id) };
const spawnNode = (id: string) => tc.spawnNode(id);
const kill9 = (p: NodeProcess) => tc.kill9(p.id);

/** A logged-in, connected player on a node (its client closed by cleanup). */
async function join(node: NodeProcess, name: string) {
  const c = await tc.player(node, name);
  return { ...c.session, c };
}

/** Snapshots of one match, in arrival order. */
const snapsOf = (c: RecordingClient, matchId: string) => c.snapshots().filter((s) => s.m === matchId);

async function resultEntries(matchId: string) {
  return (await redis.xrange(keys.boards.results, "-", "+")).filter(([, f]) => f[f.indexOf(RESULT_FIELDS.matchId) + 1] === matchId);
}

beforeAll(async () => {
  await Promise.all(["node-1", "node-2", "node-3"].map((id) => spawnNode(id)));
  // Everyone sees everyone before matches are placed.
  await waitFor(async () => (await redis.zcard(keys.nodes.registry)) === 3, 10_000);
}, 60_000);

afterAll(() => tc.cleanup());

describe("nodes as separate processes", () => {
  it("delivers every snapshot to every player, with players on all three nodes", async () => {
    const [n1, n2, n3] = ["node-1", "node-2", "node-3"].map((id) => procs.get(id)!);
    const ps = await Promise.all([join(n1!, "A1"), join(n1!, "A2"), join(n2!, "B1"), join(n2!, "B2"), join(n3!, "C1"), join(n3!, "C2")]);
    const rec = matchRecordFor(ps, "node-2");
    await createMatch(redis, keys, rec);
    const ends = await Promise.all(ps.map((p) => p.c.next<MatchEnd>("match:end", 20_000)));
    for (const e of ends) expect(e).toEqual(ends[0]);
    ps.forEach((p, i) => expect(p.c.starts()[0]).toMatchObject({ matchId: rec.matchId, you: i }));

    const streams = ps.map((p) => snapsOf(p.c, rec.matchId));
    for (const s of streams) expect(strictlyIncreasing(s)).toBe(true);
    // From the first snapshot every player was subscribed for, to the last: every player got every
    // snapshot the host broadcast (identical streams). The host skips broadcasting only the stale
    // catch-up ticks after a stall of its own (2 shared cores here), which shows as the same small gap
    // for everyone.
    const from = Math.max(...streams.map((s) => s[0]!.n));
    const to = streams[0]!.at(-1)!.n;
    expect(to - from).toBeGreaterThan(80);
    const seen = streams.map((s) => s.filter((x) => x.n >= from).map((x) => x.n));
    for (const s of seen) expect(s).toEqual(seen[0]);
    expect(seen[0]!.length).toBeGreaterThan((to - from + 1) * 0.9);
    await waitFor(async () => (await resultEntries(rec.matchId)).length === 1, 5000);
  });

  it("resumes a match within 3 s on another node when its host is killed -9, and applies its result once", async () => {
    const [n2, n3] = ["node-2", "node-3"].map((id) => procs.get(id)!);
    const ps = await Promise.all([join(n2!, "K1"), join(n3!, "K2"), join(n2!, "K3")]);
    const rec = matchRecordFor(ps, "node-1");
    await createMatch(redis, keys, rec);
    // Everyone walks (directions only), so positions and scores change all match long.
    let seq = 0;
    const steer = setInterval(() => ps.forEach((p, i) => p.c.input(++seq, i === 1 ? -1 : 1, Math.sin(seq / 20))), 50);
    try {
      await Promise.all(ps.map((p) => p.c.until(() => snapsOf(p.c, rec.matchId).filter((s) => s.ph === "playing").length > 30, 8000, "1.5 s of play")));
      const killedAt = await kill9(procs.get("node-1")!);
      const resumed = await Promise.all(ps.map((p) => p.c.next<MatchResumed>("match:resumed", 6000)));
      const arrivals = ps.map((p) => p.c.events.find((e) => e.event === "match:resumed")!.at - killedAt);
      console.log(`[failover] host killed -9: match:resumed after ${arrivals.map((ms) => Math.round(ms)).join(", ")} ms`);
      for (const ms of arrivals) expect(ms).toBeLessThan(3000);
      const newHost = resumed[0]!.hostNodeId;
      expect(["node-2", "node-3"]).toContain(newHost);
      for (const r of resumed) expect(r).toEqual({ matchId: rec.matchId, hostNodeId: newHost });

      const ends = await Promise.all(ps.map((p) => p.c.next<MatchEnd>("match:end", 15_000)));
      for (const e of ends) expect(e).toEqual(ends[0]);
      for (const p of ps) {
        const all = p.c.events.filter((e) => e.event === "match:snapshot" && (e.data as Snapshot).m === rec.matchId || e.event === "match:resumed");
        const cut = all.findIndex((e) => e.event === "match:resumed");
        const before = all.slice(0, cut).map((e) => e.data as Snapshot);
        const after = all.slice(cut + 1).map((e) => e.data as Snapshot);
        // One host at a time: each side of the takeover is one ordered stream.
        expect(strictlyIncreasing(before) && strictlyIncreasing(after)).toBe(true);
        expect(p.c.resumes()).toHaveLength(1);
        // Continued from a checkpoint at most ~1 s (CHECKPOINT_INTERVAL 500 ms) behind the last broadcast...
        const lastBefore = before.at(-1)!;
        expect(after[0]!.n).toBeGreaterThanOrEqual(lastBefore.n - 15);
        expect(after[0]!.n).toBeLessThanOrEqual(lastBefore.n + 5);
        // ...with the scores it had then (no dashes in this test, so scores never go down).
        const same = before.filter((s) => s.n < after[0]!.n).at(-1)!;
        after[0]!.p.forEach((row, i) => expect(row[3]).toBeGreaterThanOrEqual(same.p[i]![3]));
        expect(after.at(-1)!.ph).toBe("ended");
      }

      // The result: on the stream, and applied to each player's stats and board exactly once.
      expect((await resultEntries(rec.matchId)).length).toBeGreaterThanOrEqual(1);
      const results = ends[0]!.results;
      const any = procs.get(newHost)!;
      for (const r of results) {
        const profile = await waitFor(async () => {
          const res = await fetch(`${any.url}/api/players/${r.playerId}`);
          const body = (await res.json()) as PlayerProfile;
          return body.games >= 1 ? body : null;
        }, 10_000);
        expect(profile).toMatchObject({ games: 1, total: r.score });
        expect(profile.ranks.alltime?.score).toBe(r.score);
      }
    } finally {
      clearInterval(steer);
    }
  });

  it("puts players of a node killed -9 back in their match on another node within 5 s", async () => {
    const n2 = procs.get("node-2")!;
    const n3 = procs.get("node-3")!;
    const n4 = await spawnNode("node-4");
    await waitFor(async () => (await redis.zscore(keys.nodes.registry, "node-4")) !== null, 5000);
    // Host node-4; the players who will lose their node are on node-3.
    const ps = await Promise.all([join(n3, "V1"), join(n3, "V2"), join(n2, "S1")]);
    const rec = matchRecordFor(ps, "node-4");
    await createMatch(redis, keys, rec);
    await Promise.all(ps.map((p) => p.c.until(() => snapsOf(p.c, rec.matchId).filter((s) => s.ph === "playing").length > 10, 8000, "playing")));
    const victims = ps.slice(0, 2);
    const scoresBefore = snapsOf(victims[0]!.c, rec.matchId).at(-1)!.p.map((r) => r[3]);

    // Like a browser behind a load balancer: on disconnect, reconnect with the same token to a live node.
    const back = victims.map(
      (v, i) =>
        new Promise<{ c: RecordingClient; at: number }>((ok, fail) => {
          v.c.socket.once("disconnect", () => {
            const target = i === 0 ? n2 : n4;
            tc.connect(target, v.c.session)
              .then(async (c) => {
                await c.next<MatchStart>("match:start", 5000);
                await c.until(() => snapsOf(c, rec.matchId).length > 0, 5000, "a snapshot");
                ok({ c, at: performance.now() });
              })
              .catch(fail);
          });
        }),
    );
    const killedAt = await kill9(n3);
    const rejoined = await Promise.all(back);
    const took = rejoined.map((r) => r.at - killedAt);
    console.log(`[failover] player node killed -9: back in the match after ${took.map((ms) => Math.round(ms)).join(", ")} ms`);
    for (const ms of took) expect(ms).toBeLessThan(5000);
    rejoined.forEach((r, i) => expect(r.c.starts()[0]).toMatchObject({ matchId: rec.matchId, you: i }));
    // Same avatars, same scores.
    const now = snapsOf(rejoined[0]!.c, rec.matchId).at(-1)!;
    now.p.forEach((row, i) => expect(row[3]).toBeGreaterThanOrEqual(scoresBefore[i]!));
    // Their inputs reach the host again, from their new nodes.
    const c0 = rejoined[0]!.c;
    const x0 = snapsOf(c0, rec.matchId).at(-1)!.p[0]![1];
    let seq = 1000;
    const steer = setInterval(() => c0.input(++seq, x0 > 800 ? -1 : 1, 0), 50);
    await c0.until(() => Math.abs(snapsOf(c0, rec.matchId).at(-1)!.p[0]![1] - x0) > 40, 3000, "avatar moving again");
    clearInterval(steer);
    await Promise.all([...rejoined.map((r) => r.c), ps[2]!.c].map((c) => c.next("match:end", 15_000)));
  });

  it("never lets a host frozen past its lease broadcast next to its successor", async () => {
    const n2 = procs.get("node-2")!;
    const n4 = procs.get("node-4")!;
    const ps = await Promise.all([join(n2, "F1"), join(n2, "F2")]);
    const rec = matchRecordFor(ps, "node-4");
    await createMatch(redis, keys, rec);
    await Promise.all(ps.map((p) => p.c.until(() => snapsOf(p.c, rec.matchId).filter((s) => s.ph === "playing").length > 10, 8000, "playing")));
    // Freeze the host (a GC pause, a stalled VM) for longer than its lease, then let it run again.
    tc.freeze("node-4");
    const resumed = await ps[0]!.c.next<MatchResumed>("match:resumed", 6000);
    expect(resumed.hostNodeId).toBe("node-2");
    tc.thaw("node-4");
    await Promise.all(ps.map((p) => p.c.next("match:end", 15_000)));
    for (const p of ps) {
      const all = p.c.events.filter((e) => (e.event === "match:snapshot" && (e.data as Snapshot).m === rec.matchId) || e.event === "match:resumed");
      const cut = all.findIndex((e) => e.event === "match:resumed");
      // Had the woken host ticked even once, its older lineage would interleave with the new one.
      expect(strictlyIncreasing(all.slice(cut + 1).map((e) => e.data as Snapshot))).toBe(true);
      expect(p.c.resumes()).toHaveLength(1);
    }
    // The woken node found its lease gone and stopped hosting, instead of writing over its successor.
    await waitFor(() => new RegExp(`"matchId":"${rec.matchId}"[^\n]*"reason":"[^"]*lease lost"[^\n]*"msg":"stopped hosting match"`).test(n4.out()), 5000);
    expect((await resultEntries(rec.matchId)).length).toBeGreaterThanOrEqual(1);
  });

});
