/**
 * The Redis a benchmark runs on, so that one bench measures both engines with the same code:
 *
 *   BENCH_ENGINE=single   (default) a throwaway redis-server on a free port, AOF and RDB off;
 *   BENCH_ENGINE=cluster  a throwaway local Redis Cluster (server/embedded-cluster.ts): 3 masters + 3
 *                         replicas, AOF and RDB off, the default 15 s node timeout (no failover because a
 *                         loaded machine starved a node for 2 s: benches measure throughput, not failover).
 *
 * REDIS_CLUSTER_NODES (+ REDIS_PASSWORD) or REDIS_URL use an existing cluster or server instead (nothing
 * is started or stopped; the bench deletes its own keys). The engine gives the bench its RedisTarget,
 * clients, the node config naming it, a redis-benchmark baseline run on the same engine, and per-master
 * figures: keys, memory, commands processed and CPU seconds (INFO, summed over the masters).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { connectRedis, describeTarget, isCluster, masters, parseClusterNodes, type RedisClient, type RedisTarget } from "../server/redis/connection.ts";
import { fmt, redisBenchmarkOn, startBenchRedis } from "./lib.ts";

export type EngineKind = "single" | "cluster";

export interface BenchEngine {
  kind: EngineKind;
  target: RedisTarget;
  /** False for a server or cluster named by REDIS_URL / REDIS_CLUSTER_NODES: the bench cleans up its keys. */
  owned: boolean;
  /** One line for the bench's header: which engine, started by whom, where. */
  description: string;
  /** Node config naming this engine (for loadConfig overrides): REDIS_URL, or REDIS_CLUSTER_NODES (+ REDIS_PASSWORD). */
  config: { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string; REDIS_PASSWORD?: string };
  /** A client as the node opens them (server/redis/connection.ts: named, auto-pipelined). */
  connect(name: string): Promise<RedisClient>;
  /**
   * `redis-benchmark -P 16` on this engine (requests per second). Every key in `args` must contain `{tag}`:
   * on a cluster redis-benchmark spreads its clients over the masters and gives each master's clients a tag
   * of one of its slots (so `bench:{tag}:z` is one key per master); on one server it stays one literal key.
   */
  baseline(args: string[], opts: { n: number; r: number }): number;
  stop(): Promise<void>;
}

/** Starts (or, with REDIS_URL / REDIS_CLUSTER_NODES, finds) the engine BENCH_ENGINE names. */
export async function startBenchEngine(label: string, env: NodeJS.ProcessEnv = process.env): Promise<BenchEngine> {
  const wanted = env.BENCH_ENGINE || undefined;
  if (wanted !== undefined && wanted !== "single" && wanted !== "cluster") throw new Error(`BENCH_ENGINE must be "single" or "cluster" (got "${wanted}")`);
  if (env.REDIS_CLUSTER_NODES) {
    if (wanted === "single") throw new Error("BENCH_ENGINE=single, but REDIS_CLUSTER_NODES names a Redis Cluster: unset one of them");
    return clusterEngine(env.REDIS_CLUSTER_NODES, env.REDIS_PASSWORD || undefined, "existing Redis Cluster (REDIS_CLUSTER_NODES)", false, async () => {});
  }
  if (env.REDIS_URL) {
    if (wanted === "cluster") throw new Error("BENCH_ENGINE=cluster, but REDIS_URL names a single Redis: unset REDIS_URL (the bench then starts its own cluster) or set REDIS_CLUSTER_NODES");
    return singleEngine(env.REDIS_URL, "existing redis-server (REDIS_URL)", false, async () => {});
  }
  if (wanted === "cluster") {
    const { startEmbeddedCluster } = await import("../server/embedded-cluster.ts");
    const dir = mkdtempSync(join(tmpdir(), `arena-bench-${label}-cluster-`));
    const removeDir = () => rmSync(dir, { recursive: true, force: true });
    let c;
    try {
      c = await startEmbeddedCluster({ dataDir: dir, appendonly: false, extraArgs: ["--save", ""], nodeTimeoutMs: 15_000, autoInstall: false });
    } catch (err) {
      removeDir();
      throw err;
    }
    const cluster = c;
    const what = `Redis Cluster started by the bench: ${cluster.masters.length} masters + ${cluster.replicas.length} replicas, AOF and RDB off, ready in ${fmt(cluster.startedInMs)} ms`;
    return clusterEngine(cluster.nodesEnv, undefined, what, true, async () => {
      try {
        await cluster.stop();
      } finally {
        removeDir();
      }
    });
  }
  const server = await startBenchRedis(label);
  return singleEngine(server.url, "redis-server started by the bench, AOF and RDB off", true, server.stop);
}

function singleEngine(url: string, what: string, owned: boolean, stop: () => Promise<void>): BenchEngine {
  const target: RedisTarget = { kind: "single", url };
  return {
    kind: "single",
    target,
    owned,
    description: `single Redis, ${what}: ${describeTarget(target)}`,
    config: { REDIS_URL: url },
    connect: (name) => connectRedis(target, { name }),
    baseline: (args, opts) => redisBenchmarkOn(["-u", url], args, opts),
    stop,
  };
}

function clusterEngine(nodesEnv: string, password: string | undefined, what: string, owned: boolean, stop: () => Promise<void>): BenchEngine {
  const nodes = parseClusterNodes(nodesEnv);
  const target: RedisTarget = { kind: "cluster", nodes, password };
  const seed = nodes[0]!;
  return {
    kind: "cluster",
    target,
    owned,
    description: `${what}: ${describeTarget(target)}`,
    config: password ? { REDIS_CLUSTER_NODES: nodesEnv, REDIS_PASSWORD: password } : { REDIS_CLUSTER_NODES: nodesEnv },
    connect: (name) => connectRedis(target, { name }),
    baseline: (args, opts) => redisBenchmarkOn(["-h", seed.host, "-p", String(seed.port), "--cluster", ...(password ? ["-a", password, "--no-auth-warning"] : [])], args, opts),
    stop,
  };
}

// ---- per-master figures ----------------------------------------------------------------------------------

/** One master (or the single server) at one moment. */
export interface MasterFigures {
  node: string;
  keys: number;
  usedMemory: number;
  commands: number;
  cpuSeconds: number;
  /** Hash slots the master serves (cluster only), e.g. "0-5460". */
  slots?: string;
}

const infoField = (info: string, name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, "m").exec(info)?.[1] ?? 0);

async function figuresOf(r: Redis): Promise<MasterFigures> {
  const [info, keys] = await Promise.all([r.info(), r.dbsize()]);
  return {
    node: `${r.options.host}:${r.options.port}`,
    keys,
    usedMemory: infoField(info, "used_memory"),
    commands: infoField(info, "total_commands_processed"),
    cpuSeconds: infoField(info, "used_cpu_user") + infoField(info, "used_cpu_sys"),
  };
}

/** Keys, memory, commands and CPU of every master now (the server itself on a single Redis), and its slots. */
export async function masterFigures(client: RedisClient): Promise<MasterFigures[]> {
  const figures = await Promise.all(masters(client).map(figuresOf));
  if (!isCluster(client)) return figures;
  // CLUSTER SLOTS: [start, end, [host, port, id], replicas...] per range.
  const ranges = await client.cluster("SLOTS");
  const slotsOf = (node: string) => ranges.filter((r) => `${r[2]?.[0]}:${r[2]?.[1]}` === node).map((r) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`)).join(",");
  return figures.map((f) => ({ ...f, slots: slotsOf(f.node) }));
}

/**
 * CPU seconds used so far by the masters (summed) and by their replicas (a cluster's copies cost CPU too).
 * ioredis keeps no connection to replicas when it reads from masters, so they are found in each master's
 * INFO replication and asked on a short-lived connection.
 */
export async function redisCpuSeconds(client: RedisClient): Promise<{ masters: number; replicas: number }> {
  const sum = (xs: { cpuSeconds: number }[]) => xs.reduce((a, x) => a + x.cpuSeconds, 0);
  const replicaCpu = async (m: Redis) => {
    const info = await m.info("replication");
    const found = [...info.matchAll(/^slave\d+:ip=([^,]+),port=(\d+)/gm)];
    const cpu = await Promise.all(
      found.map(async ([, host, port]) => {
        const r = new Redis({ host, port: Number(port), password: m.options.password, lazyConnect: true, maxRetriesPerRequest: 0 });
        r.on("error", () => {});
        try {
          await r.connect();
          const info = await r.info("cpu");
          return infoField(info, "used_cpu_user") + infoField(info, "used_cpu_sys");
        } finally {
          r.disconnect();
        }
      }),
    );
    return { cpuSeconds: cpu.reduce((a, b) => a + b, 0) };
  };
  const replicas = isCluster(client) ? await Promise.all(masters(client).map(replicaCpu)) : [];
  return { masters: sum(await masterFigures(client)), replicas: sum(replicas) };
}

/**
 * Lines for the end of a bench: keys and memory per master now, and each master's share of the commands
 * processed and of the CPU used since `before`.
 */
export function spreadLines(before: MasterFigures[], after: MasterFigures[]): string[] {
  const was = new Map(before.map((f) => [f.node, f]));
  const commands = after.map((f) => f.commands - (was.get(f.node)?.commands ?? 0));
  const cpu = after.map((f) => f.cpuSeconds - (was.get(f.node)?.cpuSeconds ?? 0));
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0) || 1;
  return after.map((f, i) => {
    const mb = (f.usedMemory / 2 ** 20).toFixed(1);
    const share = (x: number, xs: number[]) => `${((100 * x) / total(xs)).toFixed(0)}%`;
    const slots = f.slots === undefined ? "" : ` slots ${f.slots.padEnd(11)}`;
    return `${f.node.padEnd(21)}${slots} ${fmt(f.keys).padStart(10)} keys ${mb.padStart(7)} MB   commands ${fmt(commands[i]!).padStart(11)} (${share(commands[i]!, commands).padStart(4)})   CPU ${cpu[i]!.toFixed(1).padStart(6)} s (${share(cpu[i]!, cpu).padStart(4)})`;
  });
}

/** Deletes the keys matching `pattern` on every master (one UNLINK per key: they span slots). */
export async function deleteMatching(client: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  for (const m of masters(client)) {
    let cursor = "0";
    do {
      const [next, keys] = await m.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      deleted += (await Promise.all(keys.map((k) => client.unlink(k)))).reduce((a, b) => a + b, 0);
    } while (cursor !== "0");
  }
  return deleted;
}
