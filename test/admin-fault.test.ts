/**
 * Nodes as real processes over one Redis: the dashboard on a surviving node flags a node killed with
 * kill -9 as dead (it stopped heartbeating), keeps pushing, and forgets a node stopped gracefully (SIGTERM)
 * instead of calling it dead. An operator ending a match whose host was just killed gets it ended (by the
 * node that takes it over), its players hear match:end once and its result is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniquePrefix, waitFor } from "./helpers/harness.ts";
import { adminCall, adminRequest, connectAdmin, type AdminClient } from "./helpers/admin-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { AdminOverview, MatchEnded, MatchHandedOver } from "../shared/admin-api.ts";

const TOKEN = "fault-token-0123456789abc";
const tc = new TestCluster({
  prefix: uniquePrefix("admfault"),
  env: {
    HEARTBEAT_INTERVAL_MS: "250",
    NODE_TTL_MS: "1500",
    MATCH_LEASE_MS: "1500",
    ADMIN_TOKEN: TOKEN,
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "200",
    RATE_LIMITS: "login=1000/1s,queue_join=100/1s,admin_login=10000/60s",
  },
});
const { redis, keys } = tc;
let admin: AdminClient;
let latest: AdminOverview | null = null;

const node = (o: AdminOverview | null, id: string) => o?.nodes.find((n) => n.nodeId === id);

beforeAll(async () => {
  const [first] = await Promise.all([tc.spawnNode("fault-1"), tc.spawnNode("fault-2"), tc.spawnNode("fault-3")]);
  admin = await connectAdmin(first!, TOKEN);
  admin.on("admin:overview", (o) => (latest = o));
  const ack = await adminRequest<AdminOverview>(admin, "admin:subscribe", { view: "overview" });
  expect(ack.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  admin?.close();
  await tc.cleanup();
});

describe("dashboard across node deaths", () => {
  it("flags a node killed with kill -9 as dead, ends the match it hosted on request, forgets one stopped gracefully", async () => {
    await waitFor(() => ["fault-1", "fault-2", "fault-3"].every((id) => node(latest, id)?.alive), 15_000, 100);

    // A running match of two players connected to fault-1, moved onto fault-2 by an operator.
    const first = tc.process("fault-1");
    const [p1, p2] = await tc.players([first, "Una"], [first, "Vic"]);
    await p1.request("queue:join", { region: "sa" });
    await p2.request("queue:join", { region: "sa" });
    const { matchId } = await p1.next("match:found", 10_000);
    const hostOf = async () => (await redis.get(keys.matches.lease(matchId)))?.split("|")[0];
    await waitFor(hostOf, 10_000);
    if ((await hostOf()) !== "fault-2") {
      const moved = await adminCall<MatchHandedOver>(first, "POST", `/admin/api/matches/${matchId}/handover`, TOKEN, { toNodeId: "fault-2" });
      expect(moved.body.to).toBe("fault-2");
    }
    const from = [p1.events.length, p2.events.length];
    const ends = () => [p1, p2].map((c, i) => c.all("match:end", from[i]));

    const t0 = Date.now();
    await tc.kill9("fault-2");

    // Ending it right away: its host is dead and still holds the lease; the node that takes it over ends it.
    const ended = await adminCall<MatchEnded>(first, "POST", `/admin/api/matches/${matchId}/end`, TOKEN, { reason: "host died" });
    expect(ended.status).toBe(200);
    expect(ended.body.ended).toBe(true);
    await waitFor(() => ends().every((e) => e.length === 1), 5000);
    const games = () => Promise.all([p1.playerId, p2.playerId].map((id) => redis.hget(keys.players.profile(id), "games")));
    await waitFor(async () => (await games()).every((g) => g === "1"), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(ends().map((e) => e.length)).toEqual([1, 1]);
    expect(await games()).toEqual(["1", "1"]);

    // Its heartbeat hash expires after NODE_TTL_MS (1.5 s); the next push shows it dead.
    await waitFor(() => node(latest, "fault-2")?.alive === false, 10_000, 50);
    const seenDeadAfter = Date.now() - t0;
    expect(seenDeadAfter).toBeLessThan(6_000);
    expect(latest!.totals).toMatchObject({ liveNodes: 2, deadNodes: 1 });
    expect(node(latest, "fault-2")!.lastSeen).toBeLessThanOrEqual(t0 + 500);

    await tc.stopProcess("fault-3", "SIGTERM");
    await waitFor(() => !node(latest, "fault-3"), 10_000, 50);
    expect(latest!.totals).toMatchObject({ liveNodes: 1, deadNodes: 1 });
    expect(node(latest, "fault-1")).toMatchObject({ alive: true, self: true });
  }, 40_000);
});
