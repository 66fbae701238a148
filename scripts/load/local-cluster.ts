/**
 * The cluster a load run starts when no TARGET is given: a throwaway embedded redis-server (AOF on, as
 * deployed) and N node processes running `server/main.ts` exactly as `npm run cluster` does (NODE_ID
 * node-1..node-N, one Redis), except that each listens on its own port behind a round-robin balancer
 * (scripts/load/balancer.ts) instead of node:cluster's shared port: the soak needs each node's own
 * /metrics and pid (RSS), and the chaos switch kills one. Each node's output goes to `<dir>/node-i.log`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedRedis, freePort, type EmbeddedRedis } from "../../server/embedded-redis.ts";
import { startBalancer, type Balancer } from "./balancer.ts";

export interface LocalNode {
  nodeId: string;
  port: number;
  url: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  exited: boolean;
  killedAt?: number;
}

export interface LocalCluster {
  url: string;
  redisUrl: string;
  nodes: LocalNode[];
  balancer: Balancer;
  /** kill -9 one node (chaos). */
  kill(nodeId: string): void;
  /** Stops every node gracefully (SIGTERM, then SIGKILL after the grace), the balancer and Redis. */
  stop(): Promise<void>;
  /** Synchronous last resort for process exit: SIGKILL whatever is still running. */
  killAll(): void;
}

const root = fileURLToPath(new URL("../../", import.meta.url));

export async function startLocalCluster(opts: { nodes: number; env: Record<string, string>; logDir: string; log: (m: string) => void }): Promise<LocalCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), "arena-load-redis-"));
  const nodes: LocalNode[] = [];
  let redis: EmbeddedRedis | null = null;
  let balancer: Balancer | null = null;

  const killAll = () => {
    for (const n of nodes) if (!n.exited) n.child.kill("SIGKILL");
  };
  const stop = async () => {
    const graceMs = Number(opts.env.SHUTDOWN_GRACE_MS ?? 10_000) + 5000;
    await Promise.all(
      nodes.map(async (n) => {
        if (n.exited) return;
        const gone = new Promise<void>((ok) => n.child.once("exit", () => ok()));
        n.child.kill("SIGTERM");
        const force = setTimeout(() => n.child.kill("SIGKILL"), graceMs);
        await gone;
        clearTimeout(force);
      }),
    );
    await balancer?.close();
    await redis?.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    redis = await startEmbeddedRedis({ port: 0, dataDir, log: opts.log });
    for (let i = 1; i <= opts.nodes; i++) {
      const nodeId = `node-${i}`;
      const port = await freePort();
      const logFile = join(opts.logDir, `${nodeId}.log`);
      const out = createWriteStream(logFile);
      const child = spawn(process.execPath, ["--import", "tsx", join(root, "server/main.ts")], {
        cwd: root,
        env: { ...process.env, ...opts.env, NODE_ID: nodeId, PORT: String(port), HOST: "127.0.0.1", REDIS_URL: redis.url },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true, // our own process group: a terminal Ctrl-C reaches the runner, which stops nodes in order
      });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
      const node: LocalNode = { nodeId, port, url: `http://127.0.0.1:${port}`, pid: child.pid!, logFile, child, exited: false };
      child.once("exit", () => (node.exited = true));
      nodes.push(node);
    }
    await Promise.all(nodes.map((n) => waitReady(n, 60_000)));
    balancer = await startBalancer(nodes.map((n) => n.port));
  } catch (err) {
    killAll();
    await balancer?.close();
    await redis?.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  opts.log(`${nodes.length} nodes ready (${nodes.map((n) => `${n.nodeId} pid ${n.pid} :${n.port}`).join(", ")}), balancer ${balancer.url}, redis ${redis.url}`);
  return {
    url: balancer.url,
    redisUrl: redis.url,
    nodes,
    balancer,
    kill(nodeId) {
      const n = nodes.find((x) => x.nodeId === nodeId);
      if (!n || n.exited) return;
      n.child.kill("SIGKILL");
      n.killedAt = Date.now();
    },
    stop,
    killAll,
  };
}

async function waitReady(n: LocalNode, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (n.exited) throw new Error(`${n.nodeId} exited during start-up; see ${n.logFile}`);
    try {
      const res = await fetch(`${n.url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${n.nodeId} not ready within ${timeoutMs} ms; see ${n.logFile}`);
}
