/**
 * The embedded Redis Cluster launcher (`npm run cluster --redis-cluster`, the test harness's cluster
 * engine): 3 masters + 3 replicas ready in a few seconds, AOF on by default, a killed master's replica
 * takes over, the killed node comes back as a replica, and stop leaves no process behind.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import { startEmbeddedCluster, type EmbeddedCluster } from "../server/embedded-cluster.ts";
import { crossSlotCount } from "./helpers/crossslot.ts";

const dirs: string[] = [];
const clusters: EmbeddedCluster[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "arena-ecluster-"));
  dirs.push(d);
  return d;
};
const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0);
  } catch {
    return false;
  }
};
const hostPort = (a: string) => ({ host: a.split(":")[0]!, port: Number(a.split(":")[1]) });

afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("embedded Redis Cluster", () => {
  it("starts 3 masters + 3 replicas with AOF, survives a master killed -9, takes it back as a replica, and stops", async () => {
    const c = await startEmbeddedCluster({ dataDir: tmp(), nodeTimeoutMs: 1000, autoInstall: false });
    clusters.push(c);
    console.log(`[embedded-cluster] ready in ${c.startedInMs} ms`);
    expect(c.nodes).toHaveLength(6);
    expect(c.masters).toHaveLength(3);
    expect(c.nodesEnv.split(",")).toEqual(c.nodes);
    expect(c.startedInMs).toBeLessThan(15_000);
    expect((await c.health()).problems).toEqual([]);

    const one = new Redis(hostPort(c.masters[0]!));
    expect(await one.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
    expect(await one.config("GET", "cluster-node-timeout")).toEqual(["cluster-node-timeout", "1000"]);
    // What the cluster engine's CROSSSLOT guard counts: a multi-key command over two slots, refused.
    const before = await crossSlotCount(c.nodes);
    await expect(one.mget("{a}1", "{b}2")).rejects.toThrow(/CROSSSLOT/);
    expect(await crossSlotCount(c.nodes)).toBe(before + 1);
    one.disconnect();

    const client = new Cluster(c.nodes.map(hostPort), { redisOptions: { maxRetriesPerRequest: 2 } });
    try {
      // Keys spread over all three masters.
      await Promise.all(Array.from({ length: 30 }, (_, i) => client.set(`k${i}`, String(i))));
      const counts = await Promise.all(c.masters.map(async (m) => {
        const r = new Redis(hostPort(m));
        const n = await r.dbsize();
        r.disconnect();
        return n;
      }));
      expect(counts.every((n) => n > 0)).toBe(true);

      // kill -9 a master: its replica takes over; every key is still there.
      const victim = c.ports[0]!;
      const pid = c.pidOf(victim);
      const t0 = performance.now();
      await c.kill(victim);
      expect(alive(pid)).toBe(false);
      await c.waitFailover(victim, 15_000);
      console.log(`[embedded-cluster] master killed -9: replica serving after ${Math.round(performance.now() - t0)} ms`);
      expect(await c.currentMasters()).not.toContain(`127.0.0.1:${victim}`);
      expect(await c.currentMasters()).toHaveLength(3);
      const values = await Promise.all(Array.from({ length: 30 }, (_, i) => client.get(`k${i}`)));
      expect(values).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));

      // Restarted on its port with its cluster config file: back as a replica, cluster whole again.
      await c.restart(victim);
      await c.waitHealthy(15_000);
      const back = new Redis({ port: victim });
      expect(await back.info("replication")).toMatch(/role:slave[\s\S]*master_link_status:up/);
      back.disconnect();
    } finally {
      client.disconnect();
    }

    const pids = c.ports.map((p) => c.pidOf(p));
    await c.stop();
    await c.stop(); // idempotent
    for (const p of pids) expect(alive(p)).toBe(false);
  });

  it("refuses a folder with an earlier cluster's files unless told to clear it", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "leftover"), "x");
    await expect(startEmbeddedCluster({ dataDir: dir, autoInstall: false })).rejects.toThrow(/not empty/);
    const c = await startEmbeddedCluster({ dataDir: dir, fresh: true, appendonly: false, autoInstall: false });
    clusters.push(c);
    expect(existsSync(join(dir, "leftover"))).toBe(false);
    const r = new Redis(hostPort(c.nodes[0]!));
    expect(await r.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    r.disconnect();
    await c.stop();
  });
});
