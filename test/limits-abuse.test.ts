/**
 * Escalation across nodes: violations -> temporary bans enforced at login and handshake on every node,
 * live sockets of a banned subject kicked wherever they are, bans expiring by TTL, admin list/ban/lift,
 * the local input budget (drops, INPUT_FLOOD) and the free allowance for invalid payloads. A player's
 * violations are the player's only; anonymous ones the address's (see limits-bystanders.test.ts for the
 * protection of addresses shared with players in good standing).
 * Each client gets its own X-Forwarded-For address (TRUST_PROXY) so per-IP scores stay apart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysMatching, request, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster, type TestClient } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { stubFeature } from "./helpers/stub-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { sessionsFeature } from "../server/sessions/sessions-feature.ts";
import { createLimitsFeature } from "../server/limits/limits-feature.ts";
import { AbuseTracker } from "../server/limits/abuse.ts";
import { InputFrameSchema, QueueJoinRequest } from "../shared/schemas.ts";

const ADMIN = "admin-token-for-abuse-tests";
const handledInputs = new Map<string, number>();

const features = [
  playersFeature,
  sessionsFeature,
  // 2 inputs/s, burst 5, flood after 10 drops beyond the refill: small numbers keep the counts exact.
  createLimitsFeature({ input: { ratePerSecond: 2, burst: 5, floodSeconds: 5 } }),
  stubFeature(() => ({
    registerEvents(router) {
      router.handle("queue:join", QueueJoinRequest, "queue_join", () => ({ ticketId: "t", region: "eu-west" as const, estimatedWaitMs: 0 }));
      router.fire("match:input", InputFrameSchema, (c) => handledInputs.set(c.playerId, (handledInputs.get(c.playerId) ?? 0) + 1));
    },
  })),
];

const tc = new TestCluster({
  prefix: uniquePrefix("abuse"),
  env: {
    TRUST_PROXY: "true",
    ADMIN_TOKEN: ADMIN,
    RATE_LIMITS: "queue_join=1/1h,login=2/1h",
    BAN_THRESHOLD: "5",
    IP_BAN_THRESHOLD: "12",
    BAN_SECONDS: "2",
    // A long decay window: scores do not leak away during the test.
    VIOLATION_DECAY_SECONDS: "86400",
  },
});
const redis = tc.redis;
let a: RunningNode;
let b: RunningNode;

async function loginAs(node: RunningNode, ip: string, deviceId: string) {
  return fetch(`${node.url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ deviceId, name: "Abuser" }),
  });
}
async function session(node: RunningNode, ip: string, deviceId: string) {
  const res = await loginAs(node, ip, deviceId);
  if (res.status !== 201) throw new Error(`login ${res.status}: ${await res.text()}`);
  return (await res.json()) as { token: string; playerId: string; name: string };
}
const connectAs = (node: RunningNode, s: { token: string; playerId: string; name: string }, ip: string) => tc.connect(node, s, { headers: { "x-forwarded-for": ip } });
const adminFetch = (node: RunningNode, path: string, init: RequestInit = {}) =>
  fetch(`${node.url}/admin/api${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...(init.body ? { "content-type": "application/json" } : {}) } });
const closed = (c: TestClient) => new Promise<string>((ok) => c.socket.once("disconnect", (reason) => ok(reason)));
/** The next server:notice from now on. */
const nextNotice = (c: TestClient) => c.next("server:notice", 5000, c.events.length);
const counter = async (c: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, labels: Record<string, string> = {}) =>
  (await c.get()).values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);

beforeAll(async () => {
  a = await tc.startNode("abuse-a", {}, { features });
  b = await tc.startNode("abuse-b", {}, { features });
});
afterAll(() => tc.cleanup());

describe("bans", () => {
  it("ban a player past the threshold, kick the live socket, refuse login and handshake on every node, then expire", async () => {
    const ip = "192.0.2.10";
    const s = await session(a, ip, "abuse-device-player-1");
    // Another player already known at this address (logged in before the ban).
    const other = await session(b, ip, "abuse-device-player-1b");
    const sock = await connectAs(a, s, ip);
    const notice = nextNotice(sock);
    const gone = closed(sock);
    // 1 allowed, 9 refused: 9 violations >= BAN_THRESHOLD 5.
    const acks = await Promise.all(Array.from({ length: 10 }, () => sock.request("queue:join", { region: "eu-west" }).catch(() => null)));
    expect(acks.filter((r) => r?.ok)).toHaveLength(1);
    expect((await notice).code).toBe("BANNED");
    expect(await gone).toBe("io server disconnect");

    expect(await redis.pttl(a.core.keys.limits.ban(`p:${s.playerId}`))).toBeGreaterThan(0);
    // Handshake on the other node.
    const refused = await connectAs(b, s, ip).then(
      () => null,
      (err: { data: { code: string; retryAfterMs: number } }) => err.data,
    );
    expect(refused).toMatchObject({ code: "BANNED" });
    expect(refused!.retryAfterMs).toBeGreaterThan(0);
    expect(refused!.retryAfterMs).toBeLessThanOrEqual(2000);
    // Login of the same device, from another address, on the other node.
    const res = await loginAs(b, "192.0.2.11", "abuse-device-player-1");
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "BANNED" } });
    // The address itself is not banned (a player's violations are its own): a known player from it is fine.
    expect(await redis.exists(a.core.keys.limits.violations(`ip:${ip}`))).toBe(0);
    (await connectAs(b, other, ip)).close();
    // But a new device from the banned player's address waits (ban evasion), on every node.
    const fresh = await loginAs(a, ip, "abuse-device-player-1c");
    expect(fresh.status).toBe(403);
    expect(await fresh.json()).toMatchObject({ error: { code: "BANNED" } });

    // The ban is a TTL: it ends by itself, for every node.
    await waitFor(async () => (await redis.exists(a.core.keys.limits.ban(`p:${s.playerId}`))) === 0, 10_000);
    const back = await connectAs(b, s, ip);
    expect(back.socket.connected).toBe(true);
    back.close();
  });

  it("ban an IP (no player in good standing behind it) past its threshold: refuse logins and handshakes from it on every node", async () => {
    const ip = "192.0.2.20";
    const s = await session(a, ip, "abuse-device-ip-1");
    await session(a, ip, "abuse-device-ip-2");
    // Login budget 2/h spent: 13 refused logins = 13 IP violations > IP_BAN_THRESHOLD 12 (the score
    // leaks a hair between two flushes, so exactly 12 might land a hair short).
    for (let i = 0; i < 13; i++) expect((await loginAs(i % 2 ? a : b, ip, `abuse-device-ip-x${i}`)).status).toBe(429);
    await waitFor(async () => (await redis.pttl(a.core.keys.limits.ban(`ip:${ip}`))) > 0);
    // Banned: 403 BANNED first, on every node, not 429.
    for (const node of [a, b]) {
      const res = await loginAs(node, ip, "abuse-device-ip-1");
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "BANNED" } });
    }
    await expect(connectAs(a, s, ip)).rejects.toMatchObject({ data: { code: "BANNED" } });
    // The player behind it is not banned: from another address the same token still connects.
    (await connectAs(a, s, "192.0.2.21")).close();
    // A different address logs in as usual.
    expect((await loginAs(a, "192.0.2.22", "abuse-device-ip-other")).status).toBe(201);
  });

  it("admin: list bans and offenders, ban by hand across nodes, lift", async () => {
    const listed = (await (await adminFetch(a, "/bans")).json()) as { bans: { subject: string; kind: string; remainingMs: number; reason: string }[] };
    expect(listed.bans.map((x) => x.subject)).toContain("ip:192.0.2.20");
    const ipBan = listed.bans.find((x) => x.subject === "ip:192.0.2.20")!;
    expect(ipBan).toMatchObject({ kind: "ip", reason: "rate_limited" });
    expect(ipBan.remainingMs).toBeGreaterThan(0);

    // An offender: two logins over the budget from a fresh address.
    for (let i = 0; i < 4; i++) await loginAs(a, "192.0.2.32", `abuse-device-offender-${i}`);
    await a.service("limits").abuse.flush();
    const offenders = (await (await adminFetch(b, "/offenders")).json()) as { offenders: { subject: string; score: number }[] };
    expect(offenders.offenders.length).toBeGreaterThan(0);
    expect(offenders.offenders.every((o) => o.score > 0)).toBe(true);

    // Lift the IP ban on node B: the address connects again on node A.
    expect((await adminFetch(b, "/bans/ip/192.0.2.20", { method: "DELETE" })).status).toBe(200);
    expect((await adminFetch(b, "/bans/ip/192.0.2.20", { method: "DELETE" })).status).toBe(404);
    const s = await session(a, "192.0.2.30", "abuse-device-admin-1");
    (await connectAs(a, s, "192.0.2.20")).close();

    // Ban an address by hand: every socket from it is told and closed, wherever it lives.
    const fromIp = await connectAs(b, s, "192.0.2.31");
    const ipNotice = nextNotice(fromIp);
    expect((await adminFetch(a, "/bans", { method: "POST", body: JSON.stringify({ kind: "ip", id: "192.0.2.31", seconds: 600 }) })).status).toBe(201);
    expect((await ipNotice).code).toBe("BANNED");
    await waitFor(() => !fromIp.socket.connected);
    expect((await adminFetch(b, "/bans/ip/192.0.2.31", { method: "DELETE" })).status).toBe(200);

    // Ban by hand on node A a player connected to node B.
    const sock = await connectAs(b, s, "192.0.2.30");
    const notice = nextNotice(sock);
    const res = await adminFetch(a, "/bans", { method: "POST", body: JSON.stringify({ kind: "player", id: s.playerId, seconds: 600, reason: "griefing" }) });
    expect(res.status).toBe(201);
    expect((await notice).code).toBe("BANNED");
    await waitFor(() => !sock.socket.connected);
    await expect(connectAs(a, s, "192.0.2.30")).rejects.toMatchObject({ data: { code: "BANNED" } });
    const after = (await (await adminFetch(b, "/bans")).json()) as { bans: { subject: string; reason: string; remainingMs: number }[] };
    expect(after.bans.find((x) => x.subject === `p:${s.playerId}`)).toMatchObject({ reason: "griefing" });
    expect(await redis.pttl(a.core.keys.limits.bans)).toBeGreaterThan(0);

    expect((await adminFetch(a, `/bans/player/${s.playerId}`, { method: "DELETE" })).status).toBe(200);
    (await connectAs(b, s, "192.0.2.30")).close();

    // Admin bodies are validated like everything else.
    for (const body of ['{"kind":"user","id":"x"}', '{"kind":"ip","id":"1.2.3.4","__proto__":{"x":1}}', '{"kind":"ip","id":"1.2.3.4","extra":1}', '{"kind":"ip","id":"{evil}"}', '{"kind":"ip","id":"1.2.3.4","seconds":1e400}']) {
      const bad = await adminFetch(a, "/bans", { method: "POST", body });
      expect(bad.status, body).toBe(400);
    }
  });
});

describe("violation scores", () => {
  it("decay with time and expire; every key of this module has a TTL", async () => {
    const limits = a.service("limits");
    const fast = new AbuseTracker(redis, a.core.scripts, a.core.keys, a.metrics, a.core.log, { ...limits.abuse.settings, decayPerSecond: 10 }, () => {});
    const subject = { kind: "player" as const, id: "decaying", key: "p:decaying" };
    fast.record([subject], 3, "rate_limited");
    await fast.flush();
    const key = a.core.keys.limits.violations(subject.key);
    expect(Number(await redis.hget(key, "s"))).toBeCloseTo(3, 0);
    // 3 points at 10/s last 300 ms: the key goes by itself.
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await waitFor(async () => (await redis.exists(key)) === 0, 3000);

    // Rate keys, scores, bans and both indexes: nothing of ours is left without a TTL.
    const prefix = a.core.keys.prefix;
    const ours = [...(await keysMatching(redis, `${prefix}rl:*`)), ...(await keysMatching(redis, `${prefix}abuse:*`))];
    expect(ours.length).toBeGreaterThan(5);
    for (const k of ours) expect(await redis.pttl(k), k).toBeGreaterThan(0);
  });
});

describe("game input budget", () => {
  it("drops and counts inputs over the local budget", async () => {
    const ip = "192.0.2.40";
    const s = await session(a, ip, "abuse-device-input-1");
    const sock = await connectAs(a, s, ip);
    const before = await counter(a.metrics.inputsDropped, { reason: "over_budget" });
    for (let i = 0; i < 8; i++) sock.input(i, 0, 1, false);
    // Events of one socket are handled in order: once the ping is answered, every input was seen.
    expect(await sock.request("net:ping", { t: 1 })).toMatchObject({ ok: true });
    const handled = handledInputs.get(s.playerId) ?? 0;
    // Burst of 5; refill is 2/s, so a slow machine may let one more through, never more.
    expect(handled).toBeGreaterThanOrEqual(5);
    expect(handled).toBeLessThanOrEqual(6);
    expect((await counter(a.metrics.inputsDropped, { reason: "over_budget" })) - before).toBe(8 - handled);
    expect(sock.socket.connected).toBe(true);
    sock.close();
  });

  it("disconnects a client far over budget with INPUT_FLOOD and records a violation", async () => {
    const ip = "192.0.2.41";
    const s = await session(b, ip, "abuse-device-input-2");
    const sock = await connectAs(b, s, ip);
    const notice = nextNotice(sock);
    const gone = closed(sock);
    for (let i = 0; i < 200; i++) sock.input(i, 1, 0, true);
    expect((await notice).code).toBe("INPUT_FLOOD");
    expect(await gone).toBe("io server disconnect");
    expect(handledInputs.get(s.playerId)).toBeLessThanOrEqual(6);
    expect(await counter(b.metrics.inputFloods)).toBeGreaterThanOrEqual(1);
    // A flood weighs 10: past BAN_THRESHOLD 5 for the player at once; the address is not charged for it.
    await waitFor(async () => (await redis.pttl(b.core.keys.limits.ban(`p:${s.playerId}`))) > 0);
    expect(await redis.exists(b.core.keys.limits.violations(`ip:${ip}`))).toBe(0);
  });
});

describe("invalid payloads", () => {
  it("answers each with a code; past a free allowance of 20 they become violations, and then a ban", async () => {
    const ip = "192.0.2.50";
    const s = await session(a, ip, "abuse-device-invalid-1");
    const sock = await connectAs(a, s, ip);
    const acks = await Promise.all(Array.from({ length: 22 }, (_, i) => request(sock.typed, "net:ping", { t: -i - 1 })));
    expect(acks.every((r) => !r.ok && r.error.code === "INVALID_PAYLOAD")).toBe(true);
    // 22 refused, 20 free: 2 violations (the allowance refills 1 per 3 s, so maybe one fewer).
    await (a.service("limits")).abuse.flush();
    const score = Number(await redis.hget(a.core.keys.limits.violations(`p:${s.playerId}`), "s"));
    expect(score).toBeGreaterThanOrEqual(1);
    expect(score).toBeLessThanOrEqual(2);
    expect(sock.socket.connected).toBe(true);
    // Unknown events count the same: 6 more reach BAN_THRESHOLD 5.
    const notice = nextNotice(sock);
    for (let i = 0; i < 6; i++) expect(await request(sock.typed, `no:such:${i}`, {})).toMatchObject({ ok: false, error: { code: "UNKNOWN_EVENT" } });
    expect((await notice).code).toBe("BANNED");
    expect(await counter(a.metrics.violations, { reason: "unknown_event" })).toBeGreaterThanOrEqual(6);
  });
});
