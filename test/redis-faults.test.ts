/**
 * Redis itself fails under running matches, for real: its script cache is flushed, and redis-server is
 * killed -9 and restarted on the same port from its AOF (appendfsync everysec). Two real nodes, real
 * players. Nodes recover without a restart: matches keep ticking and checkpointing, results (one of them
 * produced while Redis was down) are applied exactly once, players get one match:end each, and new
 * players queue and get matched afterwards. The gap in snapshots is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { startEmbeddedRedis, type EmbeddedRedis } from "../server/embedded-redis.ts";
import type { RunningNode } from "../server/node.ts";
import { waitFor } from "./helpers/harness.ts";
import { createMatch, matchRecordFor, type RecordingClient } from "./helpers/match-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { PlayerProfile } from "../shared/protocol.ts";

let dir: string;
let server: EmbeddedRedis;
let port: number;
let tc: TestCluster;
let a: RunningNode;
let b: RunningNode;
let redis: Redis;

const TIMINGS = {
  HEARTBEAT_INTERVAL_MS: "250",
  NODE_TTL_MS: "5000",
  MATCH_LEASE_MS: "1500",
  CHECKPOINT_INTERVAL_MS: "300",
  MATCH_COUNTDOWN_MS: "200",
  MATCH_DURATION_MS: "6000",
  RESULTS_BLOCK_MS: "100",
  RATE_LIMITS: "login=1000/60s",
};

const startRedis = (p = 0) => startEmbeddedRedis({ port: p, dataDir: dir, autoInstall: false, extraArgs: ["--appendonly", "yes", "--appendfsync", "everysec"] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arena-faults-"));
  server = await startRedis();
  port = server.port;
  // This file kills its own single redis-server, whatever engine the rest of the run uses.
  tc = new TestCluster({ redis: { url: server.url, options: { maxRetriesPerRequest: 1 } }, env: TIMINGS });
  redis = tc.redis as Redis;
  a = await tc.startNode("fault-a");
  b = await tc.startNode("fault-b");
}, 30_000);

afterAll(async () => {
  await tc?.cleanup().catch(() => {});
  await server?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function player(node: RunningNode, name: string) {
  const c = await tc.player(node, name);
  return { ...c.session, c };
}

const snapsOf = (c: RecordingClient, matchId: string) => c.events.filter((e) => e.event === "match:snapshot" && (e.data as { m: string }).m === matchId);
const ready = async (node: RunningNode) => (await fetch(`${node.url}/readyz`)).status;

describe("a lost script cache", () => {
  it("SCRIPT FLUSH mid-match: the match keeps ticking and checkpointing; /readyz says so and recovers", async () => {
    const keys = a.core.keys;
    const ps = await Promise.all([player(a, "F1"), player(b, "F2")]);
    const rec = { ...matchRecordFor(ps, "fault-a"), matchId: `flush-${Date.now()}` };
    await createMatch(redis, keys, rec);
    await ps[0]!.c.until(() => snapsOf(ps[0]!.c, rec.matchId).length > 10, 8000, "snapshots");
    await redis.script("FLUSH");
    const flushedAt = Date.now();
    // readiness names the missing scripts (503) and has them loaded again by the next probe.
    const probe = await (await fetch(`${a.url}/readyz`)).json() as { checks: Record<string, string> };
    expect(probe.checks.scripts).toMatch(/missing from Redis/);
    await waitFor(async () => (await ready(a)) === 200, 5000);
    await redis.script("FLUSH");
    // Renewals (pipelined before) and checkpoints go on: a checkpoint written after the flush...
    await waitFor(async () => {
      const cp = await redis.get(keys.matches.checkpoint(rec.matchId));
      return cp !== null && (JSON.parse(cp) as { savedAt: number }).savedAt > flushedAt + 500;
    }, 5000);
    // ...and snapshots still flowing two seconds on, from the same host (no takeover).
    const n = snapsOf(ps[1]!.c, rec.matchId).length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(snapsOf(ps[1]!.c, rec.matchId).length).toBeGreaterThan(n + 20);
    expect(ps[1]!.c.resumes()).toHaveLength(0);
  });
});

describe("redis-server killed -9 and restarted from its AOF", () => {
  it("nodes recover without a restart; matches continue; every result applied once; new players get matched", async () => {
    const keys = a.core.keys;
    // M2 ends while Redis is down (its host keeps the result); M1, created 2.5 s later, runs through.
    const m2 = await Promise.all([player(b, "E1"), player(a, "E2")]);
    const m1 = await Promise.all([player(a, "L1"), player(b, "L2")]);
    const rec2 = { ...matchRecordFor(m2, "fault-b"), matchId: `short-${Date.now()}` };
    await createMatch(redis, keys, rec2);
    const m2Start = await m2[0]!.c.until(() => snapsOf(m2[0]!.c, rec2.matchId)[0]?.at, 8000, "M2 started");
    await new Promise((r) => setTimeout(r, 2500));
    const rec1 = { ...matchRecordFor(m1, "fault-a"), matchId: `long-${Date.now()}` };
    await createMatch(redis, keys, rec1);
    await m1[0]!.c.until(() => snapsOf(m1[0]!.c, rec1.matchId).length > 5, 8000, "M1 playing");
    // Kill -9 about 300 ms before M2's last tick (countdown 200 ms + round 6 s): it ends with Redis down,
    // inside its host's lease. Redis stays down 3 s; appendfsync everysec may lose its last second.
    await new Promise((r) => setTimeout(r, Math.max(0, m2Start + 6200 - 300 - performance.now())));
    const killedAt = performance.now();
    process.kill(server.pid, "SIGKILL");
    await waitFor(async () => (await ready(a)) === 503, 3000);
    await new Promise((r) => setTimeout(r, 3000));
    server = await startRedis(port);
    const restartedAt = performance.now();
    await waitFor(async () => (await ready(a)) === 200 && (await ready(b)) === 200, 10_000);
    console.log(`[redis-faults] redis down ${Math.round(restartedAt - killedAt)} ms; both nodes ready ${Math.round(performance.now() - restartedAt)} ms after the restart`);

    // M1 goes on: snapshots again after the restart, then its end; measure the gap.
    await m1[1]!.c.until(() => snapsOf(m1[1]!.c, rec1.matchId).some((e) => e.at > restartedAt), 10_000, "M1 snapshots after the restart");
    const arrivals = snapsOf(m1[1]!.c, rec1.matchId).map((e) => e.at);
    const gap = Math.max(...arrivals.slice(1).map((t, i) => t - arrivals[i]!));
    console.log(`[redis-faults] longest gap in M1's snapshots: ${Math.round(gap)} ms (outage ${Math.round(restartedAt - killedAt)} ms)`);
    expect(gap).toBeLessThan(restartedAt - killedAt + 6000);

    // Both matches end, each player told once, each result applied once.
    const ends = await Promise.all([...m1, ...m2].map((p) => p.c.next("match:end", 30_000)));
    await new Promise((r) => setTimeout(r, 1500));
    for (const p of [...m1, ...m2]) expect(p.c.ends()).toHaveLength(1);
    expect(ends[2]!.matchId).toBe(rec2.matchId);
    for (const p of [...m1, ...m2]) {
      const profile = await waitFor(async () => {
        const body = (await (await fetch(`${a.url}/api/players/${p.playerId}`)).json()) as PlayerProfile;
        return body.games >= 1 ? body : null;
      }, 15_000);
      expect(profile.games).toBe(1);
    }

    // New players queue and get matched.
    const fresh = await Promise.all([player(a, "N1"), player(b, "N2")]);
    for (const p of fresh) {
      const ack = await p.c.request("queue:join", { lat: 48.85, lon: 2.35 });
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
    }
    await Promise.all(fresh.map((p) => p.c.next("match:start", 20_000)));
  }, 120_000);
});
