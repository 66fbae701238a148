/**
 * The NAT bystander, over two real nodes: a logged-in player plays a match from 127.0.0.1 while someone
 * else at the same address floods both nodes: hundreds of logins with no account, a socket spewing
 * invalid messages, bogus bearer tokens. The player keeps playing (never kicked, never banned, its inputs
 * still applied); the flooder is refused (429) and its own player banned; the address is not banned.
 * With the old scoring (every refusal charged to the address, ~200 of them banned it) the flood banned
 * the address and kicked the player within a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster, type TestClient } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { Snapshot } from "../shared/game/types.ts";
import { fetchFrom, loginFrom, metricValue } from "./edge-helpers.ts";

const NAT = "127.0.0.1";
const tc = new TestCluster({
  prefix: uniquePrefix("nat"),
  env: {
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "0",
    MATCH_DURATION_MS: "120000",
  },
});
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("nat-a");
  b = await tc.startNode("nat-b");
});
afterAll(() => tc.cleanup());

/** Logged in (from 127.0.0.1), connected from `from`. */
async function player(node: RunningNode, from: string, name: string): Promise<TestClient> {
  return tc.connect(node, await login(node, name), { from });
}

describe("an anonymous flood from a shared address", () => {
  it("leaves a player in good standing at that address playing; limits the flooder; bans no address", async () => {
    // The bystander plays from the NAT's address on node A; its opponent is elsewhere, on node B.
    const me = await player(a, NAT, "Bystander");
    const rival = await player(b, "127.0.0.20", "Rival");
    for (const c of [me, rival]) expect(await c.request("queue:join", { region: "eu-west" })).toMatchObject({ ok: true });
    const start = await me.next("match:start", 10_000);
    await me.until(() => me.snapshots().some((s) => s.ph === "playing"), 5000, "playing");
    let seq = 0;
    const steer = setInterval(() => me.input(++seq, 1, 0), 50);
    const floodStarted = performance.now();

    // 1. Logins without an account, on both nodes: the budget (60/min per address) then 429s.
    const statuses: number[] = [];
    let flooderSession: { token: string; playerId: string; name: string } | null = null;
    for (let i = 0; i < 300; i++) {
      const res = await loginFrom(NAT, i % 2 ? a : b, `nat-flood-device-${i}`);
      statuses.push(res.status);
      if (res.status === 201) flooderSession ??= (await res.json()) as { token: string; playerId: string; name: string };
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(61);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(239);
    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);

    // 2. Bogus bearer tokens: answered 401, then refused 429 once the address's bad-token budget is spent.
    const bogus: number[] = [];
    for (let i = 0; i < 100; i++) bogus.push((await fetchFrom(NAT, `${a.url}/api/me`, { headers: { authorization: `Bearer ${"x".repeat(42)}${i % 10}` } })).status);
    expect(bogus.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(bogus.slice(60).every((s) => s === 429)).toBe(true);

    // 3. A flooder's socket from the same address spews invalid messages: its player is banned and kicked.
    const flooder = await tc.connect(b, flooderSession!, { from: NAT });
    for (let i = 0; i < 300; i++) flooder.socket.emit("net:ping", { t: -1 });
    await flooder.until(() => flooder.all<{ code: string }>("server:notice").find((n) => n.code === "BANNED"), 5000, "BANNED");

    await a.service("limits").abuse.flush();
    await b.service("limits").abuse.flush();
    await new Promise((r) => setTimeout(r, 500));
    clearInterval(steer);
    const lastSent = seq;

    // The bystander: still connected, never told to go, snapshots all along, its inputs applied.
    expect(me.socket.connected).toBe(true);
    expect(me.all<{ code: string }>("server:notice")).toEqual([]);
    const during = me.events.filter((e) => e.event === "match:snapshot" && e.at >= floodStarted);
    expect(during.length).toBeGreaterThan(20);
    const gaps = during.slice(1).map((e, i) => e.at - during[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(1000);
    await me.until(() => (me.snapshots().at(-1) as Snapshot).p.find((row) => row[0] === start.you)?.[4] === lastSent, 3000, "last input applied");
    expect(await me.request("net:ping", { t: 9 })).toMatchObject({ ok: true });

    // The address: scored, but not banned (the bystander vouches for it); the hold-back is counted.
    const redis = tc.redis;
    expect(await redis.exists(a.core.keys.limits.ban(`ip:${NAT}`))).toBe(0);
    expect(Number(await redis.hget(a.core.keys.limits.violations(`ip:${NAT}`), "s"))).toBeGreaterThan(190);
    const heldBack = (await metricValue(a.metrics.registry, "arena_bans_held_back_total")) + (await metricValue(b.metrics.registry, "arena_bans_held_back_total"));
    expect(heldBack).toBeGreaterThan(0);
    // The flooder's player is banned, everywhere.
    expect(await redis.pttl(a.core.keys.limits.ban(`p:${flooderSession!.playerId}`))).toBeGreaterThan(0);
    await waitFor(() => !flooder.socket.connected);
  });
});
