/**
 * Starts the test Redis of each engine once per run, whatever number of projects use it (through the
 * same launchers `npm start` and `npm run cluster --redis-cluster` use): one redis-server on a free port
 * for `single`, a local Redis Cluster (3 masters + 3 replicas, AOF off, 1 s node timeout) for `cluster`.
 * Tests isolate themselves with unique key prefixes. REDIS_TEST_URL / REDIS_TEST_CLUSTER_NODES reuse an
 * existing server / cluster. On the cluster, the run fails when any CROSSSLOT error reached Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedRedis } from "../../server/embedded-redis.ts";
import { startEmbeddedCluster } from "../../server/embedded-cluster.ts";
import { buildClient } from "../../client/build.ts";
import { crossSlotCount } from "./crossslot.ts";

export type Engine = "single" | "cluster";
export interface TestRedis {
  engine: Engine;
  /** single: the server's URL. */
  url?: string;
  /** cluster: every node as host:port. */
  nodes?: string[];
}

declare module "vitest" {
  export interface ProvidedContext {
    redis: TestRedis;
  }
}

interface Shared {
  users: number;
  ready: Promise<{ redis: TestRedis; stop(): Promise<void> }>;
}
// Every project runs this file through its own module runner: share through globalThis, not module state.
const state = ((globalThis as { __arenaTestEngines?: { build?: Promise<unknown>; single?: Shared; cluster?: Shared } }).__arenaTestEngines ??= {});

async function startSingle(): Promise<{ redis: TestRedis; stop(): Promise<void> }> {
  if (process.env.REDIS_TEST_URL) return { redis: { engine: "single", url: process.env.REDIS_TEST_URL }, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "arena-test-redis-"));
  const r = await startEmbeddedRedis({ port: 0, dataDir: dir, autoInstall: false, extraArgs: ["--appendonly", "no"] });
  return {
    redis: { engine: "single", url: r.url },
    async stop() {
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startCluster(): Promise<{ redis: TestRedis; stop(): Promise<void> }> {
  const external = process.env.REDIS_TEST_CLUSTER_NODES;
  const dir = external ? null : mkdtempSync(join(tmpdir(), "arena-test-cluster-"));
  const c = dir ? await startEmbeddedCluster({ dataDir: dir, appendonly: false, nodeTimeoutMs: 1000, autoInstall: false }) : null;
  if (c) console.log(`[test] Redis Cluster ready in ${c.startedInMs} ms (${c.nodesEnv})`);
  const nodes = c?.nodes ?? external!.split(",").map((s) => s.trim());
  const before = await crossSlotCount(nodes);
  return {
    redis: { engine: "cluster", nodes },
    async stop() {
      const crossSlot = (await crossSlotCount(nodes)) - before;
      await c?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      // Backstop of the per-file guard (test/helpers/crossslot-guard.ts). Vitest only logs a teardown
      // error, so the exit code is set here too.
      if (crossSlot > 0) {
        process.exitCode = 1;
        throw new Error(`CROSSSLOT: ${crossSlot} cross-slot error(s) reached the Redis Cluster during this run (INFO errorstats); the run fails.`);
      }
    },
  };
}

export default async function setup(project: TestProject) {
  // Browser tests load the real bundle: build it once per run (nodes serve client/dist when it exists).
  await (state.build ??= buildClient());
  const engine: Engine | null = project.name.startsWith("cluster") ? "cluster" : project.name.startsWith("single") ? "single" : null;
  if (!engine) return;
  const shared = (state[engine] ??= { users: 0, ready: engine === "cluster" ? startCluster() : startSingle() });
  shared.users++;
  const { redis } = await shared.ready;
  project.provide("redis", redis);
  return async () => {
    if (--shared.users > 0) return;
    delete state[engine];
    await (await shared.ready).stop();
  };
}
