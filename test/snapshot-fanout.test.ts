/**
 * Snapshot delivery across nodes (server/matches/snapshot-delivery.ts), watched on the Redis side with
 * MONITOR on every master (over a raw socket: test/helpers/redis-monitor.ts): a match whose players are
 * all on its host publishes nothing; other nodes get one inbox message per tick carrying every match they
 * watch; a player moving between nodes keeps receiving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "ioredis";
import { monitorRedis } from "./helpers/redis-monitor.ts";
import { testRedis, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor, strictlyIncreasing } from "./helpers/match-client.ts";
import { TestCluster, type TestClient } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";

const tc = new TestCluster({
  prefix: uniquePrefix("fanout"),
  env: { HEARTBEAT_INTERVAL_MS: "200", NODE_TTL_MS: "1000", MATCH_COUNTDOWN_MS: "300", MATCH_DURATION_MS: "6000", MATCH_LEASE_MS: "1500", CHECKPOINT_INTERVAL_MS: "300" },
});
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("node-a");
  b = await tc.startNode("node-b");
});
afterAll(() => tc.cleanup());

/** PUBLISH / SPUBLISH of this test's channels seen on every master during `ms`: [channel, message]. */
async function publishesDuring(ms: number): Promise<[string, string][]> {
  const r = testRedis();
  const masters = r.engine === "cluster" ? (tc.redis as Cluster).nodes("master").map((n) => ({ host: n.options.host!, port: n.options.port! })) : [new URL(r.url!)].map((u) => ({ host: u.hostname, port: Number(u.port || 6379) }));
  const seen: [string, string][] = [];
  const monitors = await Promise.all(
    masters.map((m) =>
      monitorRedis(m.host, m.port, (args) => {
        const cmd = args[0]?.toLowerCase();
        if ((cmd === "publish" || cmd === "spublish") && args[1]?.startsWith(tc.prefix)) seen.push([args[1], args[2] ?? ""]);
      }),
    ),
  );
  await new Promise((ok) => setTimeout(ok, ms));
  await Promise.all(monitors.map((m) => m.stop()));
  return seen;
}

const playing = (c: TestClient, matchId: string, n = 5) => c.until(() => c.snapshots().filter((s) => s.m === matchId && s.ph === "playing").length >= n, 6000, `${n} playing snapshots`);
const snapsAfter = (c: TestClient, matchId: string, at: number) => c.events.filter((e) => e.event === "match:snapshot" && e.at > at && (e.data as { m: string }).m === matchId).length;

describe("snapshot delivery", () => {
  it("a match whose players are all on its host sends no snapshot through Redis", async () => {
    const ps = await tc.players([b, "Home1"], [b, "Home2"]);
    const rec = matchRecordFor(ps.map((p) => p.session), "node-b");
    await createMatch(tc.redis, tc.keys, rec);
    await Promise.all(ps.map((p) => playing(p, rec.matchId)));
    const t0 = performance.now();
    const seen = await publishesDuring(1000);
    expect(seen.filter(([, msg]) => msg.includes(rec.matchId))).toEqual([]);
    // Meanwhile both players got their 20 snapshots a second.
    for (const p of ps) expect(snapsAfter(p, rec.matchId, t0)).toBeGreaterThan(12);
    for (const p of ps) p.close();
  });

  it("another node gets one message per tick for every match it watches, and each player every snapshot", async () => {
    const ps = await tc.players([a, "Far1"], [b, "Near1"], [a, "Far2"], [b, "Near2"]);
    const recs = [matchRecordFor([ps[0]!.session, ps[1]!.session], "node-b"), matchRecordFor([ps[2]!.session, ps[3]!.session], "node-b")];
    for (const rec of recs) await createMatch(tc.redis, tc.keys, rec);
    await Promise.all(ps.map((p, i) => playing(p, recs[i >> 1]!.matchId)));
    const t0 = performance.now();
    const seen = await publishesDuring(1000);
    const toA = seen.filter(([ch]) => ch === tc.keys.nodes.inbox("node-a")).map(([, msg]) => JSON.parse(msg) as { t: string; s?: [string, string][] });
    const snaps = toA.filter((m) => m.t === "snap");
    // 20 ticks a second (a few more or less with the window's edges and a loaded machine), not 40.
    expect(snaps.length).toBeGreaterThan(8);
    expect(snaps.length).toBeLessThanOrEqual(24);
    for (const m of snaps) expect(m.s!.map(([id]) => id).sort()).toEqual(recs.map((r) => r.matchId).sort());
    // Nothing goes through the adapter's channels, and b hears from a only a's list of watched matches.
    expect(seen.filter(([ch]) => ch.startsWith(tc.keys.adapterChannel))).toEqual([]);
    expect(seen.filter(([ch]) => ch === tc.keys.nodes.inbox("node-b")).every(([, msg]) => JSON.parse(msg).t !== "snap")).toBe(true);
    for (const [i, p] of ps.entries()) {
      const matchId = recs[i >> 1]!.matchId;
      expect(snapsAfter(p, matchId, t0)).toBeGreaterThan(12);
      expect(strictlyIncreasing(p.snapshots().filter((s) => s.m === matchId))).toBe(true);
    }
    for (const p of ps) p.close();
  });

  it("a player who moves to the host and back keeps receiving; the final snapshot reaches every node", async () => {
    const [mover, stay] = await tc.players([a, "Mover"], [b, "Stay"]);
    const rec = matchRecordFor([mover!.session, stay!.session], "node-b");
    await createMatch(tc.redis, tc.keys, rec);
    await playing(mover!, rec.matchId);
    let c = mover!;
    for (const node of [b, a]) {
      c.close();
      c = await tc.connect(node, mover!.session);
      await c.next("match:start", 5000);
      const at = performance.now();
      await c.until(() => snapsAfter(c, rec.matchId, at) >= 10, 5000, `snapshots on ${node.core.nodeId}`);
    }
    // Back on a non-host node: the last snapshot before match:end says the match ended.
    await c.next("match:end", 15_000);
    await waitFor(() => c.snapshots().length > 0);
    expect(c.snapshots().at(-1)!.ph).toBe("ended");
    expect(stay!.snapshots().at(-1)!.ph).toBe("ended");
  });
});
