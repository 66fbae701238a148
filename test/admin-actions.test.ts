/**
 * Admin actions across two real nodes over one Redis: announcements reach players on both nodes (and
 * those connecting later), kick disconnects a player wherever they are, every action lands in the audit
 * stream with its label and address, the name index finds players by prefix, a board reset needs its
 * typed confirmation, and the overview (read from RedisClient) is the same on both nodes, dead nodes included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { adminCall, adminRequest, connectAdmin } from "./helpers/admin-client.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { AdminOverview, AuditPage, CurrentAnnouncement, Kicked, PlayerSearch } from "../shared/admin-api.ts";
import type { LeaderboardPage } from "../shared/protocol.ts";
import { AUDIT_MAX_ENTRIES } from "../server/admin/audit-log.ts";

const OPS = "ops-token-0123456789abcdef";
const BOT = "bot-token-0123456789abcdef";
const tc = new TestCluster({
  prefix: uniquePrefix("admin"),
  env: {
    ADMIN_TOKENS: `ops:${OPS},bot:${BOT}`,
    RATE_LIMITS: "admin_login=10000/60s,login=1000/1s,queue_join=100/1s",
    HEARTBEAT_INTERVAL_MS: "200",
    MATCHMAKER_INTERVAL_MS: "50",
    MATCH_FILL_WAIT_MS: "0",
    MATCH_COUNTDOWN_MS: "200",
  },
});
const redis = tc.redis;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("admin-a");
  b = await tc.startNode("admin-b");
});
afterAll(() => tc.cleanup());

const audit = async (node: RunningNode) => (await adminCall<AuditPage>(node, "GET", "/admin/api/audit?count=100", BOT)).body.entries;

describe("admin actions across two nodes", () => {
  it("an announcement reaches players on both nodes, and later ones at connect; it is audited", async () => {
    const onA = await tc.player(a, "Ann");
    const onB = await tc.player(b, "Ben");
    const got = [onA.next("announce", 5000, onA.events.length), onB.next("announce", 5000, onB.events.length)];
    const res = await adminCall<{ announcement: NonNullable<CurrentAnnouncement["announcement"]> }>(a, "POST", "/admin/api/announce", OPS, { message: "Servers restart at 04:00 UTC", ttlSeconds: 60 });
    expect(res.status).toBe(201);
    expect(res.body.announcement).toMatchObject({ message: "Servers restart at 04:00 UTC", by: "ops" });
    for (const g of await Promise.all(got)) expect(g.message).toBe("Servers restart at 04:00 UTC");

    // Kept in RedisClient for its lifetime: a player connecting to the other node meanwhile gets it at connect.
    const stored = await redis.get(tc.keys.admin.announcement);
    expect(JSON.parse(stored!)).toMatchObject({ message: "Servers restart at 04:00 UTC", by: "ops" });
    expect(await redis.pttl(tc.keys.admin.announcement)).toBeGreaterThan(50_000);
    const late = await tc.player(b, "Late");
    const lateGot = await late.next("announce", 5000);
    expect(lateGot.message).toBe("Servers restart at 04:00 UTC");
    expect((await adminCall<CurrentAnnouncement>(b, "GET", "/admin/api/announce", BOT)).body.announcement?.by).toBe("ops");

    const entry = (await audit(b)).find((e) => e.action === "announce.post")!;
    expect(entry).toMatchObject({ who: "ops", target: "all", nodeId: "admin-a", status: 201 });
    expect(entry.ip).toMatch(/127\.0\.0\.1/);
    expect(JSON.parse(entry.detail)).toMatchObject({ message: "Servers restart at 04:00 UTC", ttlSeconds: 60 });

    expect((await adminCall(a, "DELETE", "/admin/api/announce", OPS)).status).toBe(200);
    expect(await redis.exists(tc.keys.admin.announcement)).toBe(0);
    // A refused announcement is refused with a code, and audited as refused.
    const bad = await adminCall<{ error: { code: string } }>(a, "POST", "/admin/api/announce", OPS, { message: "x".repeat(281) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_PAYLOAD");
    expect((await audit(a)).find((e) => e.action === "announce.post" && e.status === 400)).toBeTruthy();
  });

  it("kick disconnects a player connected to the other node, with KICKED; it is audited", async () => {
    const victim = await tc.player(b, "Vic");
    const notice = victim.next("server:notice", 5000, victim.events.length);
    const res = await adminCall<Kicked>(a, "POST", `/admin/api/players/${victim.playerId}/kick`, BOT, { reason: "testing kicks" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ playerId: victim.playerId, disconnected: 1 });
    expect(await notice).toMatchObject({ code: "KICKED", message: expect.stringContaining("testing kicks") });
    await waitFor(() => !victim.socket.connected);
    const entry = (await audit(a)).find((e) => e.action === "player.kick" && e.target === `p:${victim.playerId}`)!;
    expect(entry).toMatchObject({ who: "bot", status: 200, nodeId: "admin-a" });
    // Offline: nothing to disconnect, still an answer.
    expect((await adminCall<Kicked>(a, "POST", `/admin/api/players/${victim.playerId}/kick`, BOT)).body.disconnected).toBe(0);
  });

  it("a ban through the admin API disconnects the player, blocks their login and handshake on both nodes, and is audited", async () => {
    const device = `dev-ban-${Date.now()}`;
    const p = await tc.connect(a, await login(a, "Banme", device));
    const closed = p.next("server:notice", 5000, p.events.length);
    expect((await adminCall(b, "POST", "/admin/api/bans", OPS, { kind: "player", id: p.playerId, seconds: 60, reason: "griefing" })).status).toBe(201);
    expect((await closed).code).toBe("BANNED");
    await waitFor(() => !p.socket.connected);
    expect(await redis.get(tc.keys.limits.ban(`p:${p.playerId}`))).toBe("griefing");
    expect(await redis.pttl(tc.keys.limits.ban(`p:${p.playerId}`))).toBeGreaterThan(55_000);
    for (const n of [a, b]) {
      await expect(tc.connect(n, p.session)).rejects.toMatchObject({ data: { code: "BANNED" } });
      await expect(login(n, "Banme", device)).rejects.toThrow(/403.*BANNED/);
    }
    const entry = (await audit(a)).find((e) => e.action === "ban.create" && e.target === `p:${p.playerId}`)!;
    expect(entry).toMatchObject({ who: "ops", status: 201 });
    expect(JSON.parse(entry.detail)).toEqual({ seconds: 60, reason: "griefing" });
    const profile = await adminCall<{ ban: { reason: string } | null }>(a, "GET", `/admin/api/players/${p.playerId}`, OPS);
    expect(profile.body.ban?.reason).toBe("griefing");
    expect((await adminCall(a, "DELETE", `/admin/api/bans/player/${p.playerId}`, OPS)).status).toBe(200);
    expect((await audit(a)).find((e) => e.action === "ban.lift")).toMatchObject({ target: `p:${p.playerId}`, status: 200 });
    // Lifted: the same device logs in again.
    expect((await login(b, "Banme", device)).playerId).toBe(p.playerId);
  });

  it("finds players by name prefix, any case and script; a rename replaces the old entry", async () => {
    const device = `dev-rename-${Date.now()}`;
    const zoe = await login(a, "Zoë Quill", device);
    await tc.connect(a, zoe);
    await tc.player(b, "zoey");
    await tc.player(b, "Ярослав");
    const find = async (prefix: string) => (await adminCall<PlayerSearch>(b, "GET", `/admin/api/players?prefix=${encodeURIComponent(prefix)}`, OPS)).body.players;
    // Name order is byte order of the folded names: "zoey" < "zoë quill" ("e" < "ë").
    expect((await find("ZO")).map((p) => p.name)).toEqual(["zoey", "Zoë Quill"]);
    expect((await find("zoë")).map((p) => p.name)).toEqual(["Zoë Quill"]);
    expect((await find("яро")).map((p) => p.name)).toEqual(["Ярослав"]);
    expect(await find("zz")).toEqual([]);
    // Same device, new name: the player id stays, the index follows.
    const renamed = await login(a, "Quill Zoe", device);
    expect(renamed.playerId).toBe(zoe.playerId);
    await tc.connect(b, renamed);
    await waitFor(async () => (await find("quill")).some((p) => p.playerId === zoe.playerId));
    expect((await find("zoë")).map((p) => p.playerId)).not.toContain(zoe.playerId);
    // The stale member was deleted by that search; the index is found at login, without any socket.
    const week = tc.keys.players.names(Math.floor(Date.now() / (7 * 86_400_000)));
    expect((await redis.zrange(week, 0, "-1")).filter((m) => m.endsWith(`\u0000${zoe.playerId}`))).toEqual([`quill zoe\u0000Quill Zoe\u0000${zoe.playerId}`]);
    await login(a, "Offline Olga");
    expect((await find("offline o")).map((p) => p.name)).toEqual(["Offline Olga"]);
    // Bounded life: this week's set expires four weeks after the week ends.
    const ttl = await redis.pttl(week);
    expect(ttl).toBeGreaterThan(4 * 7 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(5 * 7 * 86_400_000);
  });

  it("a board reset needs its typed confirmation; the refusal and the reset are audited", async () => {
    const instance = (await adminCall<LeaderboardPage>(a, "GET", "/admin/api/leaderboards/weekly", OPS)).body.instance;
    const refused = await adminCall<{ error: { code: string; message: string } }>(a, "POST", "/admin/api/leaderboards/weekly/reset", OPS, { confirm: "weekly" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("CONFIRMATION_REQUIRED");
    expect(refused.body.error.message).toContain(`weekly:${instance}`);
    expect((await adminCall(a, "POST", "/admin/api/leaderboards/weekly/reset", OPS, { confirm: `weekly:${instance}` })).status).toBe(200);
    const resets = (await audit(a)).filter((e) => e.action === "board.reset");
    expect(resets.map((e) => e.status).sort()).toEqual([200, 400]);
    expect(resets[0]!.target).toBe("board:weekly");
  });

  it("shows the same overview on both nodes, and flags a node that stopped heartbeating", async () => {
    const keys = tc.keys;
    // A node that died without a goodbye: its heartbeat hash expired while it was still registered.
    await redis.zadd(keys.nodes.registry, Date.now() - 3000, "ghost-node");
    const s = await connectAdmin(b, OPS);
    try {
      const first = await adminRequest<AdminOverview>(s, "admin:subscribe", { view: "overview" });
      expect(first.ok).toBe(true);
      const pushed = await new Promise<AdminOverview>((ok) => s.once("admin:overview", ok));
      const fromA = (await adminCall<AdminOverview>(a, "GET", "/admin/api/overview", BOT)).body;
      for (const o of [pushed, fromA]) {
        const byId = new Map(o.nodes.map((n) => [n.nodeId, n]));
        expect(byId.get("admin-a")).toMatchObject({ alive: true, version: expect.stringContaining(process.version) });
        expect(byId.get("admin-b")?.alive).toBe(true);
        expect(byId.get("ghost-node")).toMatchObject({ alive: false });
        expect(byId.get("admin-a")!.rssBytes).toBeGreaterThan(10_000_000);
        expect(o.totals).toMatchObject({ liveNodes: 2, deadNodes: 1 });
        expect(o.redis[0]).toMatchObject({ role: "master" });
      }
      expect(pushed.nodes.find((n) => n.nodeId === "admin-b")!.self).toBe(true);
      expect(fromA.nodes.find((n) => n.nodeId === "admin-a")!.self).toBe(true);
    } finally {
      s.close();
    }
  });

  it("caps the audit stream", async () => {
    const keys = tc.keys.admin;
    expect(await redis.xlen(keys.audit)).toBeLessThanOrEqual(AUDIT_MAX_ENTRIES + 200);
    const info = (await redis.call("XINFO", "STREAM", keys.audit)) as unknown[];
    expect(info.length).toBeGreaterThan(0);
    // Paging: newest first, `next` continues strictly older.
    const page1 = (await adminCall<AuditPage>(a, "GET", "/admin/api/audit?count=2", OPS)).body;
    const page2 = (await adminCall<AuditPage>(a, "GET", `/admin/api/audit?count=2&before=${page1.next}`, OPS)).body;
    expect(page1.entries).toHaveLength(2);
    expect(page2.entries[0]!.id < page1.entries[1]!.id).toBe(true);
  });
});
