/**
 * Anonymous clients cannot grow RedisClient for ever: a guest (a player who never finished a match) expires with
 * its device id GUEST_TTL_DAYS after its last login, slid at each login, and is kept for good once a
 * result is applied; a device holds at most MAX_SESSIONS_PER_DEVICE sessions (a new login revokes the
 * oldest) and can log all of them out; and after a burst of anonymous traffic every key left in RedisClient has
 * a TTL. Real nodes, real RedisClient, real HTTP and sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../server/redis/connection.ts";
import { keysMatching, connectClient, login, redisClient, request, startTestNode, uniquePrefix, waitFor } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";

const DAY_MS = 86_400_000;
let node: RunningNode;
let redis: RedisClient;

beforeAll(async () => {
  node = await startTestNode({ KEY_PREFIX: uniquePrefix("keys"), GUEST_TTL_DAYS: "2", MAX_SESSIONS_PER_DEVICE: "3" });
  redis = redisClient();
});
afterAll(async () => {
  await node.stop();
  await redis.quit();
});

const me = (token: string) => fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

describe("guests expire; players with a result stay", () => {
  it("gives a new guest's device id and profile GUEST_TTL_DAYS, slides it at each login, and keeps both for good after a result", async () => {
    const { keys } = node.core;
    const device = "guest-device-ttl-1";
    const s = await login(node, "Guest", device);
    const dev = keys.players.device(device);
    const profile = keys.players.profile(s.playerId);
    for (const k of [dev, profile]) {
      const ttl = await redis.pttl(k);
      expect(ttl, k).toBeGreaterThan(2 * DAY_MS - 60_000);
      expect(ttl, k).toBeLessThanOrEqual(2 * DAY_MS);
    }
    // The device id never leaves the store (it logs in as the player).
    expect(await node.service("players").store.profile(s.playerId)).not.toHaveProperty("device");

    // Time passes (simulated by shortening both); the next login slides them back to the full lifetime.
    await Promise.all([redis.pexpire(dev, 5000), redis.pexpire(profile, 5000)]);
    expect((await login(node, "Guest", device)).playerId).toBe(s.playerId);
    for (const k of [dev, profile]) expect(await redis.pttl(k), k).toBeGreaterThan(2 * DAY_MS - 60_000);

    // A finished match makes it a player for good: neither key expires any more, and logins do not change that.
    const applied = await node.service("players").store.applyResult(s.playerId, { matchId: "m-keys-1", day: "2026-01-01", markerTtlMs: 60_000, points: 3, win: 1, ratingDelta: 12, name: "Guest", endedAt: Date.now() });
    expect(applied).toBe(true);
    await login(node, "Guest", device);
    expect(await redis.pttl(dev)).toBe(-1);
    expect(await redis.pttl(profile)).toBe(-1);
    expect(await redis.hget(profile, "games")).toBe("1");
  });

  it("a guest left alone is gone, device id and all; the same device then starts afresh", async () => {
    const device = "guest-device-ttl-2";
    const s = await login(node, "Gone", device);
    const dev = node.core.keys.players.device(device);
    await Promise.all([redis.pexpire(dev, 50), redis.pexpire(node.core.keys.players.profile(s.playerId), 50)]);
    await waitFor(async () => (await redis.exists(dev)) === 0, 2000);
    expect(await redis.exists(node.core.keys.players.profile(s.playerId))).toBe(0);
    expect((await login(node, "Again", device)).playerId).not.toBe(s.playerId);
  });
});

describe("sessions per device", () => {
  it("keeps at most MAX_SESSIONS_PER_DEVICE (3): the fourth and fifth logins revoke the two oldest", async () => {
    const device = "session-cap-device-1";
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push((await login(node, "Many", device)).token);
    const statuses = await Promise.all(tokens.map(async (t) => (await me(t)).status));
    expect(statuses).toEqual([401, 401, 200, 200, 200]);
    const idx = node.core.keys.sessions.device(device);
    expect(await redis.zcard(idx)).toBe(3);
    expect(await redis.pttl(idx)).toBeGreaterThan(0);
  });

  it("logs out one session, or with ?all=true every session of the device, closing their sockets", async () => {
    const device = "session-logout-all-1";
    const [t1, t2, t3] = [(await login(node, "Out", device)).token, (await login(node, "Out", device)).token, (await login(node, "Out", device)).token];
    // One session: only that token stops working.
    expect((await fetch(`${node.url}/api/sessions/current`, { method: "DELETE", headers: { authorization: `Bearer ${t1}` } })).status).toBe(204);
    expect([(await me(t1!)).status, (await me(t2!)).status]).toEqual([401, 200]);
    // Everywhere: the socket of another session of the device closes, and every token stops working.
    const sock = await connectClient(node, t2);
    expect(await request(sock, "net:ping", { t: 1 })).toMatchObject({ ok: true });
    const gone = new Promise<string>((ok) => sock.once("disconnect", (r) => ok(r)));
    expect((await fetch(`${node.url}/api/sessions/current?all=true`, { method: "DELETE", headers: { authorization: `Bearer ${t3}` } })).status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect([(await me(t2!)).status, (await me(t3!)).status]).toEqual([401, 401]);
    expect(await redis.exists(node.core.keys.sessions.device(device))).toBe(0);
    // A bad query is refused like any bad input.
    const s = await login(node, "Out", device);
    expect((await fetch(`${node.url}/api/sessions/current?all=maybe`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } })).status).toBe(400);
  });
});

describe("every key has a bounded lifetime", () => {
  it("after anonymous logins, sockets, pings, refusals and logouts, every key under the prefix has a TTL or a cap", async () => {
    const n = await startTestNode({ KEY_PREFIX: uniquePrefix("ttl"), RATE_LIMITS: "login=20/1h" });
    try {
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${n.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ deviceId: `ttl-device-${i % 7}`, name: "Anon" }) });
        if (res.status !== 201) continue;
        const { token } = (await res.json()) as { token: string };
        if (i % 3 === 0) {
          const sock = await connectClient(n, token);
          await request(sock, "net:ping", { t: i });
          await request(sock, "queue:join", { region: "eu-west" });
          await request(sock, "queue:leave", {});
          sock.close();
        }
        if (i % 5 === 0) await fetch(`${n.url}/api/sessions/current`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
      }
      await fetch(`${n.url}/api/me`, { headers: { authorization: `Bearer ${"y".repeat(43)}` } });
      await n.service("limits").abuse.flush();
      await new Promise((r) => setTimeout(r, 300));
      const all = await keysMatching(redis, `${n.core.keys.prefix}*`);
      expect(all.length).toBeGreaterThan(20);
      const ttls = await Promise.all(all.map(async (k) => [k, await redis.pttl(k)] as const));
      // Capped instead: the registry of live nodes (one member per node, pruned by heartbeat) and the
      // results stream (XADD MAXLEN ~100,000), which exists from start-up (its consumer group); and the
      // all-time board's own keys, permanent by design and one set per deployment.
      const b = n.core.keys.boards;
      const allTime = (["board", "members", "version", "pushed", "topGen", "meta"] as const).map((f) => b[f]("alltime", "all"));
      const capped = new Set<string>([n.core.keys.nodes.registry, b.results, ...allTime]);
      expect(ttls.filter(([k, t]) => t < 0 && !capped.has(k)).map(([k]) => k)).toEqual([]);
    } finally {
      await n.stop();
    }
  });
});
