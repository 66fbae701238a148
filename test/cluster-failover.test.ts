/**
 * A Redis Cluster master dies under a running match, for real: its own 3 masters + 3 replicas
 * (cluster-node-timeout 1 s, AOF everysec), two game nodes on it, players on both. kill -9 of the master
 * holding the match's keys, then of the one holding the all-time board (one at a time: a cluster needs a
 * majority of masters to promote a replica). The replicas take over, the nodes follow, the match goes on
 * and ends once for everyone, and its result is applied exactly once to boards living on the promoted
 * replicas. The longest gap in snapshots is printed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Cluster } from "ioredis";
import { startEmbeddedCluster, type EmbeddedCluster } from "../server/embedded-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor } from "./helpers/match-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { PlayerProfile } from "../shared/protocol.ts";

let dir: string;
let cluster: EmbeddedCluster;
let tc: TestCluster;
let redis: Cluster;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arena-cfail-"));
  cluster = await startEmbeddedCluster({ dataDir: dir, nodeTimeoutMs: 1000, autoInstall: false });
  tc = new TestCluster({
    redis: { nodes: cluster.nodesEnv.split(","), options: { redisOptions: { maxRetriesPerRequest: 5 }, clusterRetryStrategy: () => 200 } },
    env: {
      HEARTBEAT_INTERVAL_MS: "250",
      NODE_TTL_MS: "5000",
      MATCH_LEASE_MS: "1500",
      CHECKPOINT_INTERVAL_MS: "300",
      MATCH_COUNTDOWN_MS: "200",
      MATCH_DURATION_MS: "16000",
      RESULTS_BLOCK_MS: "100",
      RATE_LIMITS: "login=1000/60s",
    },
  });
  redis = tc.redis as Cluster;
  a = await tc.startNode("cf-a");
  b = await tc.startNode("cf-b");
}, 60_000);

afterAll(async () => {
  await tc?.cleanup().catch(() => {});
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The master (port) that serves a key's slot now, per the cluster itself. */
async function masterOf(key: string): Promise<number> {
  const slot = (await redis.cluster("KEYSLOT", key)) as number;
  const range = (await redis.cluster("SLOTS")).find(([from, to]) => slot >= from && slot <= to)!;
  return range[2]![1];
}

async function player(node: RunningNode, name: string) {
  const c = await tc.player(node, name);
  return { ...c.session, c };
}

it("kill -9 of the masters holding a running match and the all-time board: replicas take over, the match goes on, its result is applied once", async () => {
  const keys = a.core.keys;
  const ps = await Promise.all([player(a, "CF1"), player(b, "CF2"), player(a, "CF3")]);
  const rec = { ...matchRecordFor(ps, "cf-a"), matchId: `cf-${Date.now()}` };
  await createMatch(redis, keys, rec);
  await ps[1]!.c.until(() => ps[1]!.c.snapshots().filter((s) => s.m === rec.matchId && s.ph === "playing").length > 10, 10_000, "playing");

  const gaps: number[] = [];
  const kill = async (port: number, what: string) => {
    const killedAt = performance.now();
    await cluster.kill(port);
    await cluster.waitFailover(port, 20_000);
    const promotedAt = performance.now();
    await ps[1]!.c.until(() => ps[1]!.c.events.some((e) => e.event === "match:snapshot" && e.at > promotedAt), 15_000, `snapshots after the failover of ${what}`);
    const arrivals = ps[1]!.c.events.filter((e) => e.event === "match:snapshot").map((e) => e.at);
    const gap = Math.max(...arrivals.slice(1).map((t, i) => t - arrivals[i]!).filter((_, i) => arrivals[i + 1]! > killedAt));
    gaps.push(gap);
    console.log(`[cluster-failover] master ${port} (${what}) killed -9: replica promoted after ${Math.round(promotedAt - killedAt)} ms; longest snapshot gap ${Math.round(gap)} ms`);
  };
  // Both targets are read before the first kill: once a replica is promoted, the board's shard (when it is
  // the match's) answers from the promoted replica, and killing that one would leave the shard with no copy.
  const matchMaster = await masterOf(keys.matches.record(rec.matchId));
  const boardMaster = await masterOf(keys.boards.board("alltime", "all"));
  await kill(matchMaster, "the match's keys");
  if (boardMaster !== matchMaster) await kill(boardMaster, "the all-time board");
  else console.log("[cluster-failover] the all-time board shares the match's master (one kill covered both)");
  for (const gap of gaps) expect(gap).toBeLessThan(15_000);

  // The match ends once for everyone; its result lands exactly once, on the promoted masters.
  const ends = await Promise.all(ps.map((p) => p.c.next("match:end", 30_000)));
  await new Promise((r) => setTimeout(r, 1500));
  for (const p of ps) expect(p.c.ends()).toHaveLength(1);
  for (const r of ends[0]!.results) {
    const profile = await waitFor(async () => {
      const body = (await (await fetch(`${a.url}/api/players/${r.playerId}`)).json()) as PlayerProfile;
      return body.games >= 1 ? body : null;
    }, 20_000);
    expect(profile).toMatchObject({ games: 1, total: r.score });
    expect(profile.ranks.alltime?.score).toBe(r.score);
  }
  // New players still get matched on the cluster that lost two of its original masters.
  const fresh = await Promise.all([player(a, "CF4"), player(b, "CF5")]);
  for (const p of fresh) expect(await p.c.request("queue:join", { lat: 48.85, lon: 2.35 })).toMatchObject({ ok: true });
  await Promise.all(fresh.map((p) => p.c.next("match:start", 30_000)));
}, 150_000);
