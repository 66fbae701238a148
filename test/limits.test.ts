/**
 * Rate limiting across nodes: the GCRA script's exact counts, the deny cache, two nodes hammering one
 * player, a reconnect to another node, HTTP 429 + Retry-After, socket RATE_LIMITED acks.
 * Exactness is tested with long periods (nothing replenishes during the test), never with wall time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Type from "typebox";
import type { RedisClient } from "../server/redis/connection.ts";
import { redisClient, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { stubFeature } from "./helpers/stub-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { sessionsFeature } from "../server/sessions/sessions-feature.ts";
import { Scripts } from "../server/redis/scripts.ts";
import { createKeys } from "../server/redis/keys.ts";
import { RateLimiter } from "../server/limits/rate-limiter.ts";
import { RuleSet } from "../server/limits/rules.ts";
import { limitsFeature } from "../server/limits/limits-feature.ts";
import { RateLimitedError } from "../server/errors.ts";
import { QueueJoinRequest } from "../shared/schemas.ts";
import { loadConfig } from "../server/config.ts";
import { InputBudget, StrikeBudget } from "../server/limits/input-budget.ts";

const HOUR = "1h";

/** Only the limits feature plus a stub `queue:join` (action queue_join), so these tests do not depend on matchmaking. */
const limitsOnly = [
  playersFeature,
  sessionsFeature,
  limitsFeature,
  stubFeature((core) => ({
    registerEvents(router) {
      router.handle("queue:join", QueueJoinRequest, "queue_join", () => ({ ticketId: "t", region: "eu-west" as const, estimatedWaitMs: 0 }));
    },
    registerRoutes(app) {
      app.get("/api/test-read", async (req) => {
        await core.limit({ ip: req.ip }, "boards_read");
        return { ok: true };
      });
    },
  })),
];

describe("GCRA limiter script", () => {
  let redis: RedisClient;
  let scripts: Scripts;
  const keys = createKeys(uniquePrefix("gcra"));
  beforeAll(async () => {
    redis = redisClient();
    scripts = await Scripts.load(redis);
  });
  afterAll(() => redis.quit());

  it("allows exactly `count` at once, counts `remaining` down, then refuses with a retry-after", async () => {
    const limiter = new RateLimiter(redis, scripts, keys, new RuleSet({ a: { count: 5, periodMs: 3_600_000 } }), { denyCache: false });
    const seen = [];
    for (let i = 0; i < 8; i++) seen.push(await limiter.check("p:one", "a"));
    expect(seen.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(seen.slice(0, 5).map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
    // One request per period/count = 720 s: the next slot is about 720 s away.
    expect(seen[5]!.retryAfterMs).toBeGreaterThan(700_000);
    expect(seen[5]!.retryAfterMs).toBeLessThanOrEqual(720_000);
    // Refusals write nothing; the key has a TTL (time until the budget is full again).
    const ttl = await redis.pttl(keys.limits.rate("p:one", "a"));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it("keeps subjects and actions apart, and cost 0 only looks", async () => {
    const limiter = new RateLimiter(redis, scripts, keys, new RuleSet({ a: { count: 2, periodMs: 3_600_000 }, b: { count: 1, periodMs: 3_600_000 } }), { denyCache: false });
    expect((await limiter.check("p:x", "a", 0)).remaining).toBe(2);
    expect((await limiter.check("p:x", "a")).allowed).toBe(true);
    expect((await limiter.check("p:x", "a", 0)).remaining).toBe(1);
    expect((await limiter.check("p:x", "b")).allowed).toBe(true);
    expect((await limiter.check("p:y", "b")).allowed).toBe(true);
    expect((await limiter.check("p:x", "b")).allowed).toBe(false);
    expect((await limiter.check("p:x", "a")).allowed).toBe(true);
    expect((await limiter.check("p:x", "a")).allowed).toBe(false);
  });

  it("uses the default rule for an action it does not know", async () => {
    const rules = new RuleSet({ default: { count: 3, periodMs: 3_600_000 } });
    const limiter = new RateLimiter(redis, scripts, keys, rules, { denyCache: false });
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push((await limiter.check("p:d", "brand_new_action")).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
  });

  it("replenishes one request per period/count", async () => {
    const limiter = new RateLimiter(redis, scripts, keys, new RuleSet({ a: { count: 1, periodMs: 300 } }), { denyCache: false });
    expect((await limiter.check("p:r", "a")).allowed).toBe(true);
    const refused = await limiter.check("p:r", "a");
    expect(refused.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    expect((await limiter.check("p:r", "a")).allowed).toBe(true);
  });

  it("answers repeat refusals from the deny cache until the retry time, then asks RedisClient again", async () => {
    let clock = 1_000;
    const limiter = new RateLimiter(redis, scripts, keys, new RuleSet({ a: { count: 1, periodMs: 3_600_000 } }), { monotonic: () => clock });
    expect((await limiter.check("p:c", "a")).allowed).toBe(true);
    const first = await limiter.check("p:c", "a");
    expect(first).toMatchObject({ allowed: false, cached: false });
    const second = await limiter.check("p:c", "a");
    expect(second).toMatchObject({ allowed: false, cached: true });
    expect(second.retryAfterMs).toBeLessThanOrEqual(first.retryAfterMs);
    clock += first.retryAfterMs;
    // Past the deadline the cache steps aside (RedisClient decides; here it still refuses: real time did not move).
    expect((await limiter.check("p:c", "a")).cached).toBe(false);
  });

  it("parses RATE_LIMITS overrides and refuses bad ones at start-up", () => {
    const c = loadConfig({ RATE_LIMITS: "login=10/60s, queue_join=5/10s,boards_read=100/1m,x=1/500ms,y=2/1h,z=3/7" });
    expect(c.RATE_LIMITS).toEqual({
      login: { count: 10, periodMs: 60_000 },
      queue_join: { count: 5, periodMs: 10_000 },
      boards_read: { count: 100, periodMs: 60_000 },
      x: { count: 1, periodMs: 500 },
      y: { count: 2, periodMs: 3_600_000 },
      z: { count: 3, periodMs: 7_000 },
    });
    expect(() => loadConfig({ RATE_LIMITS: "login=ten/60s" })).toThrow(/RATE_LIMITS entries must look like/);
    expect(() => loadConfig({ RATE_LIMITS: "login=0/60s" })).toThrow(/count must be at least 1/);
    expect(() => loadConfig({ RATE_LIMITS: "Login=1/1s" })).toThrow(/RATE_LIMITS/);
    const rules = new RuleSet(loadConfig({ RATE_LIMITS: "login=10/60s" }).RATE_LIMITS);
    expect(rules.get("login")).toMatchObject({ count: 10, periodMs: 60_000, intervalUs: 6_000_000 });
    expect(rules.get("queue_join").count).toBeGreaterThan(0);
    expect(rules.get("never_heard_of").action).toBe("default");
  });
});

describe("local input budget (simulated clock)", () => {
  const run = (rate: number, sendPerSecond: number, seconds: number) => {
    const b = new InputBudget({ ratePerSecond: rate }, 0);
    const out = { ok: 0, drop: 0, floodAt: -1 };
    const n = Math.round(sendPerSecond * seconds);
    for (let i = 1; i <= n; i++) {
      const t = (i * 1000) / sendPerSecond;
      const v = b.take(t);
      if (v === "ok") out.ok++;
      else if (v === "drop") out.drop++;
      else if (out.floodAt < 0) out.floodAt = t;
    }
    return out;
  };

  it("allows exactly a burst of one second's worth at once, then drops", () => {
    const b = new InputBudget({ ratePerSecond: 60 }, 0);
    const verdicts = Array.from({ length: 70 }, () => b.take(0));
    expect(verdicts.filter((v) => v === "ok")).toHaveLength(60);
    expect(verdicts.filter((v) => v === "drop")).toHaveLength(10);
    // 100 ms later: 6 more.
    expect(Array.from({ length: 10 }, () => b.take(100)).filter((v) => v === "ok")).toHaveLength(6);
  });

  it("never drops a client at its budget, and never cuts one at twice its budget", () => {
    expect(run(60, 60, 120)).toMatchObject({ drop: 0, floodAt: -1 });
    const twice = run(60, 120, 120);
    expect(twice.floodAt).toBe(-1);
    expect(twice.drop).toBeGreaterThan(0);
    // Whatever is sent, what passes never exceeds the budget: burst + rate x time.
    expect(twice.ok).toBeLessThanOrEqual(60 + 60 * 120);
  });

  it("flags a flood far over budget: 3x after about 5 s of it, 10x within a second", () => {
    const three = run(60, 180, 30);
    expect(three.floodAt).toBeGreaterThan(4000);
    expect(three.floodAt).toBeLessThan(8000);
    const ten = run(60, 600, 30);
    expect(ten.floodAt).toBeGreaterThan(0);
    expect(ten.floodAt).toBeLessThan(1000);
  });

  it("gives a socket 20 free refused messages, then one per 3 s", () => {
    const s = new StrikeBudget(20, 1 / 3, 0);
    expect(Array.from({ length: 25 }, () => s.take(0)).filter(Boolean)).toHaveLength(5);
    expect(s.take(3000)).toBe(false);
    expect(s.take(3000)).toBe(true);
  });
});

describe("limits across nodes", () => {
  const tc = new TestCluster({
    prefix: uniquePrefix("lim"),
    env: {
      TRUST_PROXY: "true",
      ADMIN_TOKEN: "admin-token-for-limits-tests",
      RATE_LIMITS: `queue_join=7/${HOUR},login=3/${HOUR},boards_read=4/${HOUR},admin_login=2/${HOUR},hammer=25/${HOUR}`,
      // Violations are not what these tests are about: keep bans out of the way.
      BAN_THRESHOLD: "100000",
      IP_BAN_THRESHOLD: "1000000",
    },
  });
  const redis = tc.redis;
  let a: RunningNode;
  let b: RunningNode;

  beforeAll(async () => {
    a = await tc.startNode("lim-a", {}, { features: limitsOnly });
    b = await tc.startNode("lim-b", {}, { features: limitsOnly });
  });
  afterAll(() => tc.cleanup());

  it("holds exactly when two nodes hammer the same player at once", async () => {
    const subject = { playerId: "hammered-player", ip: "10.0.0.1" };
    const calls = Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).core.limit(subject, "hammer"));
    const results = await Promise.allSettled(calls);
    const allowed = results.filter((r) => r.status === "fulfilled").length;
    expect(allowed).toBe(25);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RateLimitedError);
    // And keeps holding: a second wave from both nodes gets nothing.
    const again = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).core.limit(subject, "hammer")));
    expect(again.filter((r) => r.status === "fulfilled")).toHaveLength(0);
  });

  it("holds across a reconnect to another node (socket acks RATE_LIMITED with retryAfterMs)", async () => {
    const first = await tc.player(a, "Hopper");
    const s = first.session;
    const firstAcks = await Promise.all(Array.from({ length: 4 }, () => first.request("queue:join", { region: "eu-west" })));
    expect(firstAcks.every((r) => r.ok)).toBe(true);
    const second = await tc.connect(b, s);
    await waitFor(() => !first.socket.connected);
    const secondAcks = await Promise.all(Array.from({ length: 10 }, () => second.request("queue:join", { region: "eu-west" })));
    expect(secondAcks.filter((r) => r.ok)).toHaveLength(3);
    const refused = secondAcks.filter((r) => !r.ok);
    expect(refused).toHaveLength(7);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
      expect((r as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
    }
    // The budget lives in RedisClient under the player, not the socket or the node.
    expect(await redis.exists(a.core.keys.limits.rate(`p:${s.playerId}`, "queue_join"))).toBe(1);
  });

  it("rate-limits logins per IP across nodes with 429 and Retry-After", async () => {
    const ip = "203.0.113.7";
    const post = (node: RunningNode, i: number) =>
      fetch(`${node.url}/api/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({ deviceId: `login-limit-device-${i}`, name: "Lim" }),
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await post(i % 2 ? a : b, i));
    expect(statuses.map((r) => r.status)).toEqual([201, 201, 201, 429, 429]);
    const last = statuses[4]!;
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await last.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    // Another address is unaffected.
    const other = await fetch(`${a.url}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.8" },
      body: JSON.stringify({ deviceId: "login-limit-device-other", name: "Lim" }),
    });
    expect(other.status).toBe(201);
  });

  it("rate-limits HTTP reads per IP (429) and admin requests per IP", async () => {
    const read = (node: RunningNode) => fetch(`${node.url}/api/test-read`, { headers: { "x-forwarded-for": "198.51.100.1" } });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await read(i % 2 ? a : b)).status);
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);

    const admin = (node: RunningNode) =>
      fetch(`${node.url}/admin/api/whoami`, { headers: { "x-forwarded-for": "198.51.100.2", authorization: "Bearer wrong-guess-wrong-guess" } });
    const adminCodes = [];
    for (let i = 0; i < 4; i++) adminCodes.push((await admin(i % 2 ? a : b)).status);
    expect(adminCodes).toEqual([403, 403, 429, 429]);
  });
});
