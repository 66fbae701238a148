/**
 * Locality-aware hosting: a new match is hosted on the node where most of its players are connected
 * (HOST_LOCALITY_WEIGHT), unless that node is much busier than another; end to end, through the
 * matchmakers of two nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import { NodeRegistry } from "../server/nodes/node-registry.ts";
import type { RunningNode } from "../server/node.ts";

const tc = new TestCluster({
  prefix: uniquePrefix("locality"),
  env: { HEARTBEAT_INTERVAL_MS: "200", NODE_TTL_MS: "2000", MATCH_MIN_PLAYERS: "2", MATCH_MAX_PLAYERS: "2", MATCH_COUNTDOWN_MS: "200", MATCH_DURATION_MS: "1500" },
});
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("node-a");
  b = await tc.startNode("node-b");
});
afterAll(() => tc.cleanup());

describe("locality-aware hosting", () => {
  it("prefers the node with the players unless its load is more than HOST_LOCALITY_WEIGHT (10) above another's", async () => {
    const reg = new NodeRegistry(tc.redis, tc.keys, 3000);
    const beat = (matches: number) => reg.heartbeat("players-here", { ccu: 0, matches, lagMs: 0, startedAt: 1, url: "x" }, Date.now());
    const pick = (near: string[]) => a.service("nodes").pickHost({ near });
    try {
      await beat(3);
      for (let i = 0; i < 4; i++) expect(await pick(Array(8).fill("players-here"))).toBe("players-here");
      // A quarter of the players is not enough to outweigh 3 matches.
      expect(["node-a", "node-b"]).toContain(await pick(["players-here", "node-a", "node-a", "node-b"]));
      await beat(30);
      expect(["node-a", "node-b"]).toContain(await pick(Array(8).fill("players-here")));
    } finally {
      await reg.remove("players-here");
    }
  });

  it("the matchmaker hosts a match on the node its players are connected to", async () => {
    for (const home of [a, a, b, b]) {
      const ps = await tc.players([home, "Local1"], [home, "Local2"]);
      await Promise.all(ps.map((p) => p.request("queue:join", { region: "eu-west" })));
      const starts = await Promise.all(ps.map((p) => p.next("match:start", 10_000)));
      const matchId = starts[0]!.matchId;
      expect(starts[1]!.matchId).toBe(matchId);
      expect(home.service("matches").hosted(matchId)).toBeDefined();
      await Promise.all(ps.map((p) => p.next("match:end", 10_000)));
      for (const p of ps) p.close();
    }
  });
});
