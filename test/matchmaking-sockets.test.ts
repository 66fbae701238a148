/** Matchmaking over real sockets, real nodes and a real Redis: join/leave/status, widening, notify, cleanup. */
import { afterEach, describe, expect, it } from "vitest";
import { keysMatching, login, request, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { CONFIG_SPEC } from "../server/config.ts";
import { ScriptCode as Code } from "../server/redis/script-codes.ts";
import { WORLD_QUEUE, pointerOf } from "../server/matchmaking/tickets.ts";
import { newId } from "../server/matchmaking/claims.ts";
import { readMatch as readMatchRecord } from "./helpers/match-client.ts";
import type { QueueStatus } from "../shared/protocol.ts";

type Overrides = Partial<Record<keyof typeof CONFIG_SPEC, string>>;

const FAST: Overrides = {
  MATCHMAKER_INTERVAL_MS: "50",
  RADIUS_STEPS_MS: "0,1500,3000,4500",
  MATCH_FILL_WAIT_MS: "0",
  QUEUE_DISCONNECT_GRACE_MS: "300",
  RATE_LIMITS: "queue_join=100/1s,queue_leave=100/1s,login=1000/1s",
};

const PARIS = { lat: 48.8566, lon: 2.3522 };
const LONDON = { lat: 51.5074, lon: -0.1278 }; // ~344 km from Paris
const LYON = { lat: 45.764, lon: 4.8357 };

/** This test's cluster (cleaned up after each test). */
let tc: TestCluster;
/** Its Redis client, for assertions. */
let redis: TestCluster["redis"];

/** Nodes sharing one fresh key prefix: one cluster per test, so tests never match each other's players. */
async function cluster(n: number, overrides: Overrides = {}): Promise<RunningNode[]> {
  tc = new TestCluster({ prefix: uniquePrefix("mm"), env: { ...FAST, ...overrides } });
  redis = tc.redis;
  const out: RunningNode[] = [];
  for (let i = 0; i < n; i++) out.push(await tc.startNode(`mm-${i}-${tc.prefix.slice(-9, -1)}`));
  return out;
}

async function player(node: RunningNode, name: string, rating?: number) {
  const s = await login(node, name);
  if (rating !== undefined) await redis.hset(node.core.keys.players.profile(s.playerId), "rating", String(rating));
  return tc.connect(node, s);
}

const mm = (node: RunningNode) => node.service("matchmaking");

/** Matchmaking keys under the prefix (queues, tickets, pointers, match markers) that have no TTL. */
async function keysWithoutTtl(prefix: string): Promise<string[]> {
  const keys = await keysMatching(redis, `${prefix}*`);
  const out: string[] = [];
  for (const k of keys) if (/\{q:|:ticket$|:match$|match:\{/.test(k) && (await redis.pttl(k)) === -1) out.push(k);
  return out;
}

afterEach(() => tc?.cleanup());

describe("queue over sockets", () => {
  it("acks a ticket in the nearest region with rounded coordinates, pushes status, and leaves without leftovers", async () => {
    const [a] = await cluster(1, { MATCHMAKER_INTERVAL_MS: "60000" });
    const p = await player(a!, "Alice");
    const statusP = p.next("queue:status", 3000, p.events.length);
    const res = await p.request("queue:join", PARIS);
    expect(res).toMatchObject({ ok: true, data: { region: "eu-west" } });
    if (!res.ok) return;
    expect(res.data.estimatedWaitMs).toBeGreaterThan(0);
    const { keys } = a!.core;
    const t = await redis.hgetall(keys.matchmaking.ticket("eu-west", res.data.ticketId));
    expect(t).toMatchObject({ status: "queued", playerId: p.playerId, lat: "48.9", lon: "2.4", rating: "1000", home: "eu-west" });
    expect(await redis.get(keys.players.ticket(p.playerId))).toBe(pointerOf("eu-west", res.data.ticketId));
    const status = await statusP;
    expect(status).toMatchObject({ ticketId: res.data.ticketId, region: "eu-west", radiusKm: 100, skillBand: 100, playersInRange: 0, worldwide: false });

    expect(await p.request("queue:leave", {})).toEqual({ ok: true, data: { left: true } });
    expect(await redis.zcard(keys.matchmaking.geo("eu-west"))).toBe(0);
    expect(await redis.zcard(keys.matchmaking.byTime("eu-west"))).toBe(0);
    expect(await redis.exists(keys.players.ticket(p.playerId))).toBe(0);
    expect(await keysWithoutTtl(keys.prefix)).toEqual([]);
    expect(await p.request("queue:leave", {})).toMatchObject({ ok: false, error: { code: "NOT_QUEUED" } });
  });

  it("validates coordinates and refuses a second ticket or a player in a match", async () => {
    const [a] = await cluster(1, { MATCHMAKER_INTERVAL_MS: "60000" });
    const p = await player(a!, "Bob");
    for (const bad of [{ lat: 91, lon: 0 }, { lat: 0, lon: -180.5 }, { lat: "1", lon: 2 }, { lat: 1 }, { region: "mars" }, { lat: 1, lon: 2, extra: 1 }, { lat: null, lon: 2 }]) {
      expect(await request(p.typed, "queue:join", bad)).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    }
    const ok = await p.request("queue:join", { region: "as-east" });
    expect(ok).toMatchObject({ ok: true, data: { region: "as-east" } });
    expect(await p.request("queue:join", PARIS)).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
    await p.request("queue:leave", {});

    await redis.set(a!.core.keys.players.match(p.playerId), "some-match", "PX", 60_000);
    expect(await p.request("queue:join", PARIS)).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
  });
});

describe("matching", () => {
  it("widens the radius with the wait and tells both players, each on their own node", async () => {
    const [a, b] = await cluster(2);
    const p1 = await player(a!, "Paris");
    const p2 = await player(b!, "London");
    const found1 = p1.next("match:found", 10_000, p1.events.length);
    const found2 = p2.next("match:found", 10_000, p2.events.length);
    const statuses: QueueStatus[] = [];
    p1.typed.on("queue:status", (s) => statuses.push(s));
    expect((await p1.request("queue:join", PARIS)).ok).toBe(true);
    const joined = Date.now();
    expect((await p2.request("queue:join", LONDON)).ok).toBe(true);
    const [m1, m2] = await Promise.all([found1, found2]);
    // 344 km apart: only the second step (500 km, from 1.5 s) can match them.
    expect(Date.now() - joined).toBeGreaterThanOrEqual(1400);
    expect(m1.matchId).toBe(m2.matchId);
    expect(m1.players.map((x) => x.playerId).sort()).toEqual([p1.playerId, p2.playerId].sort());
    expect(statuses[0]).toMatchObject({ radiusKm: 100 });

    const { keys } = a!.core;
    const rec = await readMatchRecord(redis, keys, m1.matchId);
    expect(rec).toMatchObject({ matchId: m1.matchId, queue: "eu-west" });
    // The matchmaker nudges the chosen host, which may already have started it.
    expect(["created", "running"]).toContain(rec!.status);
    expect(rec!.fence).toBeGreaterThan(0);
    expect(rec!.players.map((x) => x.playerId).sort()).toEqual([p1.playerId, p2.playerId].sort());
    expect(await redis.get(keys.players.match(p1.playerId))).toBe(m1.matchId);
    expect(await redis.get(keys.players.match(p2.playerId))).toBe(m1.matchId);
    for (const p of [p1, p2]) expect(await redis.exists(keys.players.ticket(p.playerId))).toBe(0);
    expect(await redis.zcard(keys.matchmaking.geo("eu-west"))).toBe(0);
    expect(await redis.hlen(keys.matchmaking.claims("eu-west"))).toBe(0);
    // The match runtime owns the player now: a new ticket is refused.
    expect(await p1.request("queue:join", PARIS)).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
  });

  it("widens the skill band with the wait", async () => {
    const [a] = await cluster(1);
    const weak = await player(a!, "Weak", 1000);
    const strong = await player(a!, "Strong", 1300);
    const found = weak.next("match:found", 10_000, weak.events.length);
    const bands: number[] = [];
    weak.typed.on("queue:status", (s) => bands.push(s.skillBand));
    await weak.request("queue:join", LYON);
    const joined = Date.now();
    await strong.request("queue:join", LYON);
    const m = await found;
    // 300 apart: only the third step (+-400, from 3 s) matches them.
    expect(Date.now() - joined).toBeGreaterThanOrEqual(2900);
    expect(m.players).toHaveLength(2);
    expect(bands[0]).toBe(100);
    expect(bands).toContain(200);
  });

  it("matches a full group at once, nearest players first", async () => {
    const [a] = await cluster(1, { MATCH_FILL_WAIT_MS: "60000", MATCH_MAX_PLAYERS: "4" });
    const ps = await Promise.all(["A", "B", "C", "D", "E"].map((n) => player(a!, n)));
    const founds = ps.slice(0, 4).map((p) => p.next("match:found", 5000, p.events.length));
    let lyonFound = false;
    ps[4]!.typed.on("match:found", () => (lyonFound = true));
    // One in Lyon (~390 km) first, then four in Paris: the Paris four fill a match of 4 at the first step.
    await ps[4]!.request("queue:join", LYON);
    for (const p of ps.slice(0, 4)) await p.request("queue:join", PARIS);
    const got = await Promise.all(founds);
    expect(got.every((m) => m.players.length === 4)).toBe(true);
    expect(new Set(got.map((m) => m.matchId)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(lyonFound).toBe(false);
  });
});

describe("cleanup", () => {
  it("removes a disconnected player's ticket after the grace, unless they reconnect (on any node)", async () => {
    const [a, b] = await cluster(2, { MATCHMAKER_INTERVAL_MS: "60000" });
    const { keys } = a!.core;
    const gone = await player(a!, "Gone");
    const back = await player(a!, "Back");
    const j1 = await gone.request("queue:join", PARIS);
    const j2 = await back.request("queue:join", { region: "oc" });
    if (!j1.ok || !j2.ok) throw new Error("join failed");
    gone.close();
    back.close();
    // Back reconnects to the other node within the grace and adopts its ticket there.
    const again = await tc.connect(b!, back.session);
    const status = await again.next("queue:status", 3000);
    expect(status.ticketId).toBe(j2.data.ticketId);
    await waitFor(async () => (await redis.exists(keys.players.ticket(gone.playerId))) === 0, 5000);
    expect(await redis.zscore(keys.matchmaking.byTime("eu-west"), j1.data.ticketId)).toBeNull();
    // Well past the grace, the reconnected player's ticket is still queued.
    await new Promise((r) => setTimeout(r, 600));
    expect(await redis.zscore(keys.matchmaking.byTime("oc"), j2.data.ticketId)).not.toBeNull();
    expect(await redis.hget(keys.matchmaking.ticket("oc", j2.data.ticketId), "node")).toBe(b!.core.nodeId);
    expect(await again.request("queue:leave", {})).toEqual({ ok: true, data: { left: true } });
    expect(await keysWithoutTtl(keys.prefix)).toEqual([]);
  });

  it("tells a waiting player when their ticket vanished (expired, or lost with a node) and frees them to queue again", async () => {
    const [a] = await cluster(1, { MATCHMAKER_INTERVAL_MS: "60000" });
    const { keys } = a!.core;
    const p = await player(a!, "Lost");
    const j = await p.request("queue:join", { region: "me" });
    if (!j.ok) throw new Error("join failed");
    const cancelled = p.next("queue:cancelled", 5000, p.events.length);
    // As if its TTL ran out: the hash is gone, the members linger until a pass sweeps them.
    await redis.del(keys.matchmaking.ticket("me", j.data.ticketId));
    expect(await cancelled).toEqual({ ticketId: j.data.ticketId, reason: "expired" });
    expect(await redis.exists(keys.players.ticket(p.playerId))).toBe(0);
    expect((await p.request("queue:join", { region: "me" })).ok).toBe(true);
  });

  it("a leave racing a claim: exactly one of them wins, never both", async () => {
    const [a] = await cluster(1, { MATCHMAKER_INTERVAL_MS: "60000" });
    const { keys } = a!.core;
    const store = mm(a!).store;
    const wins = { leave: 0, claim: 0 };
    for (let i = 0; i < 15; i++) {
      const x = await player(a!, `X${i}`);
      const y = await player(a!, `Y${i}`);
      const jx = await x.request("queue:join", PARIS);
      const jy = await y.request("queue:join", PARIS);
      if (!jx.ok || !jy.ok) throw new Error("join failed");
      const token = await store.acquireFence("eu-west");
      const claim = {
        matchId: newId(),
        queue: "eu-west",
        fence: token,
        createdAt: Date.now(),
        seed: 1,
        seedTicketId: jx.data.ticketId,
        radiusKm: 100,
        skillBand: 100,
        waitMs: 0,
        players: [
          { ticketId: jx.data.ticketId, playerId: x.playerId, name: "x", rating: 1000, joinedAt: 0, home: "eu-west" },
          { ticketId: jy.data.ticketId, playerId: y.playerId, name: "y", rating: 1000, joinedAt: 0, home: "eu-west" },
        ],
      };
      // The claim goes straight to RedisClient, the leave through a socket and a node: delay the claim by a
      // varying few ms so that both orders (and the close calls in between) happen.
      const delay = (i % 5) * 1.5;
      const [left, code] = await Promise.all([x.request("queue:leave", {}), new Promise((r) => setTimeout(r, delay)).then(() => store.claim("eu-west", token, claim))]);
      if (code === Code.OK) {
        wins.claim++;
        expect(left).toMatchObject({ ok: false, error: { code: "ALREADY_IN_MATCH" } });
        expect(await redis.hget(keys.matchmaking.claims("eu-west"), claim.matchId)).not.toBeNull();
        // X still holds its pointer until the claimer writes the match: it cannot queue again meanwhile.
        expect(await x.request("queue:join", PARIS)).toMatchObject({ ok: false, error: { code: "ALREADY_QUEUED" } });
        await store.dropClaim("eu-west", claim.matchId);
      } else {
        wins.leave++;
        expect(code).toBe(Code.TICKET_GONE);
        expect(left).toEqual({ ok: true, data: { left: true } });
        expect(await redis.zscore(keys.matchmaking.byTime("eu-west"), jy.data.ticketId)).not.toBeNull();
        await y.request("queue:leave", {});
      }
      expect(await redis.zscore(keys.matchmaking.byTime("eu-west"), jx.data.ticketId)).toBeNull();
      expect(await redis.zcard(keys.matchmaking.byTime("eu-west"))).toBe(0);
    }
    expect(wins.leave + wins.claim).toBe(15);
    console.log("leave/claim race outcomes:", wins);
  });

  it("lists queues for the admin dashboard", async () => {
    const [a] = await cluster(1, { MATCHMAKER_INTERVAL_MS: "60000", ADMIN_TOKEN: "admin-token-1234567890" });
    const p = await player(a!, "Admin");
    await p.request("queue:join", { region: "sa" });
    const res = await fetch(`${a!.url}/admin/api/queues`, { headers: { authorization: "Bearer admin-token-1234567890" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { queue: string; waiting: number }[] };
    expect(body.queues.find((q) => q.queue === "sa")?.waiting).toBe(1);
    expect(body.queues.map((q) => q.queue)).toContain(WORLD_QUEUE);
  });
});
