/**
 * A real local Redis Cluster for `npm run cluster --redis-cluster` and the test harness: N masters and
 * their replicas (default 3 + 3), each a redis-server started by the same launcher as the single embedded
 * Redis (server/embedded-redis.ts: discovery, apt-get install when root, PING wait, stop with the parent),
 * joined with `redis-cli --cluster create`. Ready once every node says cluster_state:ok with all 16384
 * slots and every replica's link to its master is up. kill(port) / restart(port) are for fault tests.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { Redis } from "ioredis";
import { EmbeddedRedisError, findRedisServer, freePort, startEmbeddedRedis, type EmbeddedRedis } from "./embedded-redis.ts";

export interface EmbeddedClusterOptions {
  /** Parent folder; each node gets `<dataDir>/<port>/` (cluster config file and AOF). */
  dataDir: string;
  /** Clear a folder left by an earlier cluster instead of refusing it (its ports are stale anyway). */
  fresh?: boolean;
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent master has before its replica takes over (default 2000). */
  nodeTimeoutMs?: number;
  /** AOF with fsync every second (default true); tests turn it off. */
  appendonly?: boolean;
  autoInstall?: boolean;
  /** More redis-server arguments for every node. */
  extraArgs?: string[];
  log?: (msg: string) => void;
  /** Whole start-up budget (default 30 s). */
  startTimeoutMs?: number;
}

export interface ClusterHealth {
  ok: boolean;
  /** What is still missing when not ok, e.g. "127.0.0.1:7001 cluster_state:fail". */
  problems: string[];
}

export interface EmbeddedCluster {
  /** Every node as host:port (masters first, as created). */
  nodes: string[];
  /** The nodes created as masters (after a failover, see currentMasters()). */
  masters: string[];
  replicas: string[];
  /** `REDIS_CLUSTER_NODES` value: every node, comma-separated. */
  nodesEnv: string;
  ports: number[];
  dataDir: string;
  /** Milliseconds from the call to ready, for the record. */
  startedInMs: number;
  pidOf(port: number): number | undefined;
  /** Masters now, from CLUSTER NODES as seen by a live node. */
  currentMasters(): Promise<string[]>;
  /**
   * strict (default): every node answers, says cluster_state:ok with 16384 slots, and every master has its
   * replicas linked. Not strict: the nodes running now say ok (a cluster serving after a failover).
   */
  health(strict?: boolean): Promise<ClusterHealth>;
  /** Resolves once health(strict) is ok. */
  waitHealthy(timeoutMs?: number, strict?: boolean): Promise<void>;
  /** Resolves once the killed master `port` is no longer a master and the running nodes say ok again. */
  waitFailover(port: number, timeoutMs?: number): Promise<void>;
  /** kill -9 of one node; resolves once the process is gone. */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port with its cluster config file (it rejoins, maybe as a replica). */
  restart(port: number): Promise<void>;
  /** SIGTERM to every node, waits for them. Idempotent. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const addr = (port: number) => `${HOST}:${port}`;

/** True when nothing listens on the port (bound and released at once on loopback). */
function canBind(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => ok(false));
    srv.listen(port, HOST, () => srv.close(() => ok(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await canBind(port)) && (await canBind(port + 10_000))) return port;
  }
  throw new EmbeddedRedisError("Could not find free ports for a Redis Cluster node (port and port + 10000).");
}

function findRedisCli(): string {
  const server = findRedisServer();
  const beside = server ? join(dirname(server), "redis-cli") : null;
  if (beside && existsSync(beside)) return beside;
  for (const d of ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]) if (existsSync(join(d, "redis-cli"))) return join(d, "redis-cli");
  throw new EmbeddedRedisError("redis-cli was not found (it creates the cluster). Debian/Ubuntu: sudo apt-get install -y redis-tools; macOS: brew install redis");
}

/** One command on a short-lived connection; null when the node does not answer. */
async function ask(port: number, ...args: string[]): Promise<string | null> {
  const r = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, enableOfflineQueue: false });
  r.on("error", () => {});
  try {
    await r.connect();
    return String(await r.call(args[0]!, ...args.slice(1)));
  } catch {
    return null;
  } finally {
    r.disconnect();
  }
}

const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim();

function run(bin: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", fail);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) ok(out);
      else fail(new EmbeddedRedisError(`${bin} ${args.join(" ")} failed (${code ?? "timeout"}):\n${out.trim()}`));
    });
  });
}

/** Starts the cluster and resolves once it is healthy. */
export async function startEmbeddedCluster(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const masters = opts.masters ?? 3;
  const replicasPerMaster = opts.replicasPerMaster ?? 1;
  const total = masters * (1 + replicasPerMaster);
  if (masters < 3) throw new EmbeddedRedisError("A Redis Cluster needs at least 3 masters.");
  const dataDir = resolve(opts.dataDir);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    if (!opts.fresh) throw new EmbeddedRedisError(`${dataDir} is not empty; the embedded cluster needs an empty folder (or fresh: true to clear it).`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  const cli = findRedisCli();
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  const nodeArgs = [
    "--cluster-enabled", "yes",
    "--cluster-config-file", "nodes.conf",
    "--cluster-node-timeout", String(opts.nodeTimeoutMs ?? 2000),
    // A replica may always take over: with short node timeouts its data age must not veto failover.
    "--cluster-replica-validity-factor", "0",
    // Replicas sync at once (the default waits 5 s for more replicas before a diskless sync).
    "--repl-diskless-sync-delay", "0",
    ...(opts.appendonly === false ? ["--appendonly", "no"] : []),
    ...(opts.extraArgs ?? []),
  ];
  const procs = new Map<number, EmbeddedRedis>();
  const startOne = (port: number) =>
    startEmbeddedRedis({ port, dataDir: join(dataDir, String(port)), autoInstall: opts.autoInstall ?? true, extraArgs: nodeArgs, startTimeoutMs: 10_000 });

  const taken = new Set<number>();
  /** A node on a probed port; a port grabbed by someone else in between is retried with another. */
  const launch = async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const port = await freeClusterPort(taken);
      taken.add(port).add(port + 10_000);
      try {
        procs.set(port, await startOne(port));
        return port;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([...procs.values()].map((p) => p.stop().catch(() => {})));
  };

  try {
    const ports = await Promise.all(Array.from({ length: total }, launch));
    await run(cli, ["--cluster", "create", ...ports.map(addr), "--cluster-replicas", String(replicasPerMaster), "--cluster-yes"], Math.max(1000, deadline - Date.now()));
    const health = async (strict = true): Promise<ClusterHealth> => {
      const problems: string[] = [];
      await Promise.all(
        ports.map(async (port) => {
          const info = await ask(port, "CLUSTER", "INFO");
          if (info === null) return !strict && !procs.has(port) ? undefined : problems.push(`${addr(port)} does not answer`);
          if (field(info, "cluster_state") !== "ok") problems.push(`${addr(port)} cluster_state:${field(info, "cluster_state")}`);
          if (field(info, "cluster_slots_ok") !== "16384") problems.push(`${addr(port)} cluster_slots_ok:${field(info, "cluster_slots_ok")}`);
          if (Number(field(info, "cluster_known_nodes")) !== total) problems.push(`${addr(port)} knows ${field(info, "cluster_known_nodes")} nodes`);
          const repl = (await ask(port, "INFO", "replication")) ?? "";
          if (field(repl, "role") === "slave" && field(repl, "master_link_status") !== "up") problems.push(`${addr(port)} replica link ${field(repl, "master_link_status")}`);
          return undefined;
        }),
      );
      if (!strict) return { ok: problems.length === 0, problems };
      // Every node's own view: each master serving slots has its replicas attached (as created), and all
      // views agree on who the masters are (a restarted old master briefly still believes it is one).
      const views = await Promise.all(ports.map((p) => clusterNodes([p])));
      const mastersSeen = new Set<string>();
      views.forEach((table, i) => {
        const masters = table.filter((n) => n.master && n.slots && !n.failed);
        mastersSeen.add(masters.map((m) => m.port).sort().join());
        for (const m of masters) {
          const replicas = table.filter((n) => n.masterId === m.id && !n.failed).length;
          if (replicas < replicasPerMaster) problems.push(`${addr(ports[i]!)} sees master ${addr(m.port)} with ${replicas} replica(s)`);
        }
      });
      if (mastersSeen.size > 1) problems.push(`nodes disagree on the masters: ${[...mastersSeen].join(" / ")}`);
      return { ok: problems.length === 0, problems };
    };
    const waitHealthy = async (timeoutMs = 20_000, strict = true) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const h = await health(strict);
        if (h.ok) return;
        if (Date.now() > end) throw new EmbeddedRedisError(`Redis Cluster not healthy after ${timeoutMs} ms: ${h.problems.join("; ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitHealthy(Math.max(1000, deadline - Date.now()));
    const table = await clusterNodes(ports);
    const masterPorts = ports.filter((p) => table.some((n) => n.port === p && n.master));
    const replicaPorts = ports.filter((p) => !masterPorts.includes(p));
    const startedInMs = Math.round(performance.now() - t0);
    log(`embedded Redis Cluster ready in ${startedInMs} ms: masters ${masterPorts.map(addr).join(", ")}; replicas ${replicaPorts.map(addr).join(", ")}; data in ${dataDir}`);
    const nodes = [...masterPorts, ...replicaPorts].map(addr);
    return {
      nodes,
      masters: masterPorts.map(addr),
      replicas: replicaPorts.map(addr),
      nodesEnv: nodes.join(","),
      ports: [...masterPorts, ...replicaPorts],
      dataDir,
      startedInMs,
      pidOf: (port) => procs.get(port)?.pid,
      async currentMasters() {
        return (await clusterNodes(ports)).filter((n) => n.master && !n.failed).map((n) => addr(n.port));
      },
      health,
      waitHealthy,
      async waitFailover(port, timeoutMs = 15_000) {
        const end = Date.now() + timeoutMs;
        while ((await clusterNodes(ports.filter((p) => p !== port))).some((n) => n.port === port && n.master && !n.failed)) {
          if (Date.now() > end) throw new EmbeddedRedisError(`No failover of ${addr(port)} within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await waitHealthy(Math.max(1000, end - Date.now()), false);
      },
      async kill(port) {
        const p = procs.get(port);
        if (!p) throw new EmbeddedRedisError(`No running cluster node on port ${port}`);
        process.kill(p.pid, "SIGKILL");
        await p.stop();
        procs.delete(port);
      },
      async restart(port) {
        if (procs.has(port)) throw new EmbeddedRedisError(`Cluster node ${port} is still running`);
        if (!ports.includes(port)) throw new EmbeddedRedisError(`Port ${port} is not a node of this cluster`);
        procs.set(port, await startOne(port));
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface NodeLine {
  id: string;
  port: number;
  master: boolean;
  failed: boolean;
  masterId: string;
  slots: boolean;
}

/** CLUSTER NODES as seen by the first node that answers (fields: id addr flags master ... slots). */
async function clusterNodes(ports: number[]): Promise<NodeLine[]> {
  for (const port of ports) {
    const text = await ask(port, "CLUSTER", "NODES");
    if (text === null) continue;
    return text.split("\n").filter(Boolean).map((line) => {
      const f = line.split(" ");
      const flags = f[2]!.split(",");
      return { id: f[0]!, port: Number(/:(\d+)@/.exec(f[1]!)?.[1]), master: flags.includes("master"), failed: flags.some((x) => x.startsWith("fail")), masterId: f[3]!, slots: f.length > 8 };
    });
  }
  return [];
}
