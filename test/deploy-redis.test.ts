/**
 * The Redis configs of the compose stack, run by the real redis-server: deploy/redis/redis.conf (AOF
 * everysec, noeviction, password required) and the cluster profile: six nodes from
 * deploy/redis/cluster.conf joined by deploy/redis/cluster-init.sh into 3 masters + 3 replicas, which an
 * ioredis Cluster client reaches with REDIS_CLUSTER_NODES-style seeds and REDIS_PASSWORD.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import { requireTool } from "./helpers/tools.ts";
import { waitFor } from "./helpers/harness.ts";

const DEPLOY = new URL("../deploy/redis/", import.meta.url).pathname;
const PASSWORD = "test-password-0123456789";

const procs: ChildProcess[] = [];
const dirs: string[] = [];
const clients: (Redis | Cluster)[] = [];

function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once("error", () => ok(false));
    s.listen(port, "127.0.0.1", () => s.close(() => ok(true)));
  });
}

/** A port free together with its cluster bus port (+10000). */
async function freeRedisPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair");
}

/** redis-server with a repo config file; only what a test machine needs differs (port, bind, dir, auth). */
async function startRedis(conf: string): Promise<{ port: number; dir: string; out: () => string }> {
  const port = await freeRedisPort();
  const dir = mkdtempSync(join(tmpdir(), "arena-deploy-redis-"));
  dirs.push(dir);
  const args = [join(DEPLOY, conf), "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--requirepass", PASSWORD, "--masterauth", PASSWORD, "--daemonize", "no"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(child);
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server ${conf} exited:\n${out}`);
    const r = new Redis({ port, host: "127.0.0.1", password: PASSWORD, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on("error", () => {});
    const up = await r.connect().then(() => r.ping(), () => null).finally(() => r.disconnect());
    if (up === "PONG") break;
    if (Date.now() > deadline) throw new Error(`redis-server ${conf} not answering:\n${out}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return { port, dir, out: () => out };
}

function client(port: number, password?: string): Redis {
  const r = new Redis({ port, host: "127.0.0.1", password, maxRetriesPerRequest: 1 });
  r.on("error", () => {});
  clients.push(r);
  return r;
}

afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const p of procs) p.kill("SIGKILL");
  await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((ok) => p.once("exit", ok)) : null)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("deploy/redis/redis.conf", () => {
  it("keeps an AOF fsynced every second, never evicts, and refuses clients without the password", async () => {
    requireTool("redis-server", ["--version"], "redis-server");
    const { port, dir } = await startRedis("redis.conf");
    await expect(client(port).ping()).rejects.toThrow(/NOAUTH/);
    const r = client(port, PASSWORD);
    const conf = async (name: string) => ((await r.config("GET", name)) as string[])[1];
    expect(await conf("appendonly")).toBe("yes");
    expect(await conf("appendfsync")).toBe("everysec");
    expect(await conf("maxmemory-policy")).toBe("noeviction");
    expect(await conf("bind")).toBe("127.0.0.1"); // the test's override; the file binds every interface
    await r.set("deploy:probe", "1");
    expect(existsSync(join(dir, "appendonlydir"))).toBe(true);
  });
});

describe("cluster profile: deploy/redis/cluster.conf + cluster-init.sh", () => {
  it("forms 3 masters + 3 replicas once (re-running changes nothing) and serves an ioredis Cluster with the password", async () => {
    requireTool("redis-cli", ["--version"], "redis-tools");
    const nodes = await Promise.all(Array.from({ length: 6 }, () => startRedis("cluster.conf")));
    // "localhost" like a compose service name: the script resolves names to IPs for CLUSTER MEET.
    const env = { ...process.env, REDIS_CLUSTER_NODES: nodes.map((n) => `localhost:${n.port}`).join(","), REDIS_PASSWORD: PASSWORD, WAIT_SECONDS: "30" };
    const first = spawnSync("sh", [join(DEPLOY, "cluster-init.sh")], { env, encoding: "utf8", timeout: 60_000 });
    expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toMatch(/creating the cluster/);
    expect(first.stdout).toMatch(/cluster_state:ok, 3 masters, 6 nodes/);

    // Roles as every node sees them, once gossip has spread the replica assignments.
    for (const n of nodes) {
      const r = client(n.port, PASSWORD);
      const roles = async () => ((await r.cluster("NODES")) as string).trim().split("\n").map((l) => l.split(" ")[2]!.replace("myself,", "")).sort();
      await waitFor(async () => JSON.stringify(await roles()) === JSON.stringify(["master", "master", "master", "slave", "slave", "slave"]), 15_000, 100).catch(async () => {
        throw new Error(`node ${n.port} sees roles ${await roles()}`);
      });
    }

    const again = spawnSync("sh", [join(DEPLOY, "cluster-init.sh")], { env, encoding: "utf8", timeout: 60_000 });
    expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/already form a cluster/);

    // What a node does with REDIS_CLUSTER_NODES + REDIS_PASSWORD.
    const cluster = new Cluster(nodes.slice(0, 3).map((n) => ({ host: "127.0.0.1", port: n.port })), { redisOptions: { password: PASSWORD } });
    cluster.on("error", () => {});
    clients.push(cluster);
    for (let i = 0; i < 20; i++) await cluster.set(`deploy:{k${i}}`, String(i));
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => cluster.get(`deploy:{k${i}}`)));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    // The keys landed on more than one master.
    const masters = cluster.nodes("master");
    const counts = await Promise.all(masters.map((m) => m.dbsize()));
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(1);
  }, 90_000);
});
