/**
 * A node protects itself when overloaded (server/nodes/load-monitor.ts): past its event-loop limit it
 * marks itself full in the registry (the matchmaker hosts new matches elsewhere), refuses new connections
 * with NODE_OVERLOADED before any work, keeps its players, and accepts again once calm.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import { NodeRegistry } from "../server/nodes/node-registry.ts";
import type { RunningNode } from "../server/node.ts";
import { metricValue } from "./edge-helpers.ts";

const tc = new TestCluster({
  prefix: uniquePrefix("overload"),
  env: { HEARTBEAT_INTERVAL_MS: "100", NODE_TTL_MS: "2000", OVERLOAD_LOOP_P99_MS: "100", OVERLOAD_ENTER_MS: "300", OVERLOAD_LEAVE_MS: "300" },
});
let a: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("node-a");
});
afterAll(() => tc.cleanup());

/** Keeps this process's event loop 150 ms late every 20 ms (the node runs in this process). */
function stall(): () => void {
  const t = setInterval(() => {
    const end = performance.now() + 150;
    while (performance.now() < end);
  }, 20);
  return () => clearInterval(t);
}

describe("overload protection", () => {
  it("refuses new connections while overloaded, keeps its players, and accepts again once calm", async () => {
    const kept = await tc.player(a, "Kept");
    const session = (await tc.player(a, "Later")).session;
    const stop = stall();
    try {
      await waitFor(() => a.service("nodes").overloaded, 10_000, 50);
      await waitFor(async () => (await tc.redis.hget(tc.keys.nodes.node("node-a"), "full")) === "1", 5000, 50);
      const err = await tc.connect(a, session).then(
        () => null,
        (e: Error & { data?: { code: string; retryAfterMs?: number } }) => e.data,
      );
      expect(err?.code).toBe("NODE_OVERLOADED");
      expect(err?.retryAfterMs).toBeGreaterThan(0);
    } finally {
      stop();
    }
    expect(kept.socket.connected).toBe(true);
    expect((await kept.request("net:ping", { t: 1 })).ok).toBe(true);
    await waitFor(() => !a.service("nodes").overloaded, 10_000, 50);
    const back = await tc.connect(a, session);
    expect(back.socket.connected).toBe(true);
    await waitFor(async () => (await tc.redis.hget(tc.keys.nodes.node("node-a"), "full")) === "0", 5000, 50);
  });

  it("never hosts a new match on a node that says it is full while another is open", async () => {
    const reg = new NodeRegistry(tc.redis, tc.keys, 3000);
    await reg.heartbeat("full-idle", { ccu: 0, matches: 0, lagMs: 0, startedAt: 1, url: "x", full: true }, Date.now());
    try {
      for (let i = 0; i < 5; i++) expect(await a.service("nodes").pickHost({ near: ["full-idle", "full-idle"] })).toBe("node-a");
    } finally {
      await reg.remove("full-idle");
    }
  });

  it("counts the ticks a stall made it skip (arena_ticks_skipped_total)", async () => {
    const before = await metricValue(a.metrics.registry, "arena_ticks_skipped_total");
    // One 600 ms stall: 12 ticks due at 20 Hz, 3 caught up, the rest skipped.
    await new Promise((ok) => setTimeout(ok, 60));
    const end = performance.now() + 600;
    while (performance.now() < end);
    await waitFor(async () => (await metricValue(a.metrics.registry, "arena_ticks_skipped_total")) - before >= 7, 2000, 20);
    await waitFor(() => !a.service("nodes").overloaded, 10_000, 50);
  });
});
