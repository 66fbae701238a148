/**
 * `npm run cluster`: one embedded Redis and N node processes behind one port (node:cluster). Connections
 * spread over the workers without sticky sessions, every worker is its own node in the registry, a match
 * plays across them, and SIGTERM stops everything. On the cluster engine, with `--redis-cluster`: an
 * embedded local Redis Cluster instead of one redis-server.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import { login, testRedis, waitFor } from "./helpers/harness.ts";
import { RecordingClient, createMatch, matchRecordFor } from "./helpers/match-client.ts";
import { createKeys } from "../server/redis/keys.ts";
import type { MatchEnd } from "../shared/game/types.ts";

const root = new URL("..", import.meta.url).pathname;
const onCluster = testRedis().engine === "cluster";
const portAnswers = (port: number) => new Promise<boolean>((ok) => {
  const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on("error", () => {});
  r.connect().then(() => ok(true), () => ok(false)).finally(() => r.disconnect());
});

describe("npm run cluster", () => {
  it(`runs N nodes on one port over one embedded ${onCluster ? "Redis Cluster" : "Redis"}, and stops them all on SIGTERM`, async () => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_DATA_DIR: mkdtempSync(join(tmpdir(), "arena-cluster-")),
      LOG_LEVEL: "warn",
      MATCH_COUNTDOWN_MS: "200",
      MATCH_DURATION_MS: "1500",
      HEARTBEAT_INTERVAL_MS: "200",
    };
    delete env.REDIS_URL;
    delete env.CLUSTER_NODES;
    delete env.REDIS_CLUSTER_NODES;
    delete env.REDIS_ENGINE;
    const args = ["--import", "tsx", "scripts/cluster.ts", "2", ...(onCluster ? ["--redis-cluster"] : [])];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    const clients: RecordingClient[] = [];
    let redis: Redis | null = null;
    try {
      const [, url, redisAt] = await waitFor(() => /2 nodes listening on (http:\/\/\S+) \(redis (\S+|cluster \S+)\)/.exec(out), 30_000);
      await waitFor(() => (out.match(/ready at/g) ?? []).length === 2, 20_000);
      const redisPid = Number(/redis-server pid (\d+)/.exec(out)?.[1]);
      const clusterPorts = onCluster ? redisAt!.replace("cluster ", "").split(",").map((a) => Number(a.split(":")[1])) : [];
      // Typed as Redis (the server's client type until it speaks Cluster), a Cluster on the cluster engine.
      redis = onCluster ? (new Cluster(clusterPorts.map((port) => ({ host: "127.0.0.1", port }))) as unknown as Redis) : new Redis(redisAt!);
      const keys = createKeys("arena:");
      await waitFor(async () => (await redis!.zrange(keys.nodes.registry, "0", "-1")).sort().join() === "node-1,node-2", 5000);

      // Six players through the one port: node:cluster spreads them over both workers.
      const players = await Promise.all(["P1", "P2", "P3", "P4", "P5", "P6"].map((n) => login({ url: url! }, n)));
      for (const p of players) clients.push(await RecordingClient.connect(url!, p.token));
      await waitFor(async () => {
        const ccu = await Promise.all(["node-1", "node-2"].map(async (id) => Number(await redis!.hget(keys.nodes.node(id), "ccu"))));
        return ccu[0]! + ccu[1]! === 6 && ccu.every((c) => c > 0);
      }, 5000);

      // A match across both workers, hosted by one of them.
      const rec = matchRecordFor(players, "node-2");
      await createMatch(redis, keys, rec);
      const ends = await Promise.all(clients.map((c) => c.next<MatchEnd>("match:end", 15_000)));
      for (const e of ends) expect(e).toEqual(ends[0]);

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      if (onCluster) {
        expect(clusterPorts).toHaveLength(6);
        for (const port of clusterPorts) expect(await portAnswers(port)).toBe(false);
      } else {
        expect(() => process.kill(redisPid, 0)).toThrow();
      }
      expect(out).toMatch(/SIGTERM: stopping 2 node/);
    } finally {
      for (const c of clients) c.close();
      redis?.disconnect();
      if (child.exitCode === null) {
        // On failure: SIGTERM first so the launcher stops its redis-server(s) too (SIGKILL would orphan them).
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
  }, 60_000);
});
