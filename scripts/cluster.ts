/**
 * `npm run cluster [-- <n>]`: one embedded redis-server (unless REDIS_URL is set) and N node processes
 * (CLUSTER_NODES, default 3) sharing one port through node:cluster, each with its own NODE_ID
 * (node-1..node-N). The transport is WebSocket only, so a connection never needs to come back to the
 * same process (no sticky sessions); node:cluster hands each new connection to the next worker.
 *
 * `--redis-cluster` (or REDIS_ENGINE=cluster) uses a Redis Cluster instead: REDIS_CLUSTER_NODES when set,
 * otherwise an embedded local one (3 masters + 3 replicas, data in `<REDIS_DATA_DIR>-cluster`, cleared at
 * each start since its ports are new each time); the nodes get REDIS_CLUSTER_NODES.
 *
 * A worker that dies is not restarted: its matches fail over to the others and its players reconnect
 * elsewhere, which is what this command is for watching. In production a supervisor (systemd, k8s)
 * restarts nodes. SIGINT/SIGTERM stop every worker gracefully, then Redis.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { loadConfig, ConfigError, type Config } from "../server/config.ts";
import { startEmbeddedRedis, EmbeddedRedisError } from "../server/embedded-redis.ts";
import { startEmbeddedCluster } from "../server/embedded-cluster.ts";

const log = (m: string) => console.log(`[cluster] ${m}`);

const args = process.argv.slice(2);
const count = args.find((a) => !a.startsWith("--"));
let config: Config;
try {
  // The argument overrides CLUSTER_NODES and goes through the same validation.
  config = loadConfig(process.env, { ...(count ? { CLUSTER_NODES: count } : {}), ...(args.includes("--redis-cluster") ? { REDIS_ENGINE: "cluster" } : {}) });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const n = config.CLUSTER_NODES;
let embedded: { stop(): Promise<void> } | null = null;
let stopping = false;
const workers = new Map<number, { worker: Worker; nodeId: string }>();

async function stopAll(reason: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${reason}: stopping ${workers.size} node(s)`);
  const exited = [...workers.values()].map(({ worker }) => new Promise<void>((ok) => (worker.isDead() ? ok() : worker.once("exit", () => ok()))));
  for (const { worker } of workers.values()) if (!worker.isDead()) worker.process.kill("SIGTERM");
  // Each node's own shutdown is bounded by SHUTDOWN_GRACE_MS; do not wait forever on a stuck one.
  const force = setTimeout(() => {
    for (const { worker } of workers.values()) if (!worker.isDead()) worker.process.kill("SIGKILL");
  }, config.SHUTDOWN_GRACE_MS + 5_000);
  await Promise.all(exited);
  clearTimeout(force);
  await embedded?.stop().catch(() => {});
  process.exit(code);
}

process.on("SIGINT", () => void stopAll("SIGINT", 0));
process.on("SIGTERM", () => void stopAll("SIGTERM", 0));

try {
  // What every node is given: one Redis (REDIS_URL) or the cluster's nodes (REDIS_CLUSTER_NODES).
  let redisEnv: Record<string, string>;
  if (config.REDIS_ENGINE === "cluster" || config.REDIS_CLUSTER_NODES) {
    if (config.REDIS_URL) throw new EmbeddedRedisError("--redis-cluster / REDIS_ENGINE=cluster and REDIS_URL exclude each other: unset REDIS_URL (set REDIS_CLUSTER_NODES to use an existing cluster).");
    let nodes = config.REDIS_CLUSTER_NODES;
    if (!nodes) {
      const c = await startEmbeddedCluster({ dataDir: `${config.REDIS_DATA_DIR}-cluster`, fresh: true, log });
      embedded = c;
      nodes = c.nodesEnv;
    }
    redisEnv = { REDIS_CLUSTER_NODES: nodes };
  } else {
    let url = config.REDIS_URL;
    if (!url) {
      const r = await startEmbeddedRedis({ port: config.REDIS_EMBEDDED_PORT, dataDir: config.REDIS_DATA_DIR, log });
      embedded = r;
      url = r.url;
    }
    redisEnv = { REDIS_URL: url };
  }
  const redisLabel = redisEnv.REDIS_URL ?? `cluster ${redisEnv.REDIS_CLUSTER_NODES}`;
  cluster.setupPrimary({ exec: fileURLToPath(new URL("../server/main.ts", import.meta.url)), execArgv: ["--import", "tsx"], args: [] });
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    if (++listening === n) {
      const host = !address.address || address.address === "0.0.0.0" || address.address === "::" ? "localhost" : address.address;
      log(`${n} nodes listening on http://${host}:${address.port} (redis ${redisLabel})`);
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    const w = workers.get(worker.id);
    if (stopping) return;
    log(`${w?.nodeId ?? `worker ${worker.id}`} exited (${signal ?? `code ${code}`}); not restarted: its matches fail over to the other nodes`);
    workers.delete(worker.id);
    if (workers.size === 0) void stopAll("every node exited", 1);
  });
  for (let i = 1; i <= n; i++) {
    const nodeId = `node-${i}`;
    const worker = cluster.fork({ NODE_ID: nodeId, ...redisEnv });
    workers.set(worker.id, { worker, nodeId });
  }
  log(`started ${n} node processes (${[...workers.values()].map((w) => `${w.nodeId} pid ${w.worker.process.pid}`).join(", ")})`);
} catch (err) {
  if (err instanceof EmbeddedRedisError) console.error(`[cluster] ${err.message}`);
  else console.error("[cluster] start-up failed:", err);
  await embedded?.stop().catch(() => {});
  process.exit(1);
}
