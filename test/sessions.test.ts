import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../server/redis/connection.ts";
import { keysMatching, login, redisClient, startTestNode } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { sessionIdOf } from "../server/sessions/session-store.ts";

let node: RunningNode;
let redis: RedisClient;
const post = (body: unknown, raw?: string) =>
  fetch(`${node.url}/api/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: raw ?? JSON.stringify(body) });

beforeAll(async () => {
  node = await startTestNode({ SESSION_TTL_SECONDS: "120" });
  redis = redisClient();
});
afterAll(async () => {
  await node.stop();
  await redis.quit();
});

describe("sessions over HTTP", () => {
  it("creates a session; same deviceId gives the same playerId", async () => {
    const a = await login(node, "Alice", "device-aaaa-1111");
    const b = await login(node, "Alice Again", "device-aaaa-1111");
    const c = await login(node, "Carol", "device-cccc-3333");
    expect(a.playerId).toBe(b.playerId);
    expect(c.playerId).not.toBe(a.playerId);
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(Date.parse(a.expiresAt) - Date.now()).toBeGreaterThan(110_000);
    expect(b.name).toBe("Alice Again");
  });

  it("stores only the SHA-256 of the token, with a TTL", async () => {
    const s = await login(node, "Hashy");
    const keys = await keysMatching(redis, `${node.core.keys.prefix}*`);
    const values: string[] = [];
    for (const k of keys) {
      const type = await redis.type(k);
      values.push(type === "hash" ? JSON.stringify(await redis.hgetall(k)) : type === "string" ? String(await redis.get(k)) : "");
    }
    const dump = values.join(" ");
    expect(keys.join(" ")).not.toContain(s.token);
    expect(dump).not.toContain(s.token);
    const key = node.core.keys.sessions.session(sessionIdOf(s.token));
    expect(await redis.hget(key, "playerId")).toBe(s.playerId);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it("slides the TTL when the session is used", async () => {
    const s = await login(node, "Slider");
    const key = node.core.keys.sessions.session(sessionIdOf(s.token));
    await redis.pexpire(key, 30_000);
    const me = await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ playerId: s.playerId, name: "Slider" });
    expect(await redis.pttl(key)).toBeGreaterThan(100_000);
  });

  it("logs out: the token stops working", async () => {
    const s = await login(node, "Leaver");
    const auth = { authorization: `Bearer ${s.token}` };
    expect((await fetch(`${node.url}/api/sessions/current`, { method: "DELETE", headers: auth })).status).toBe(204);
    const me = await fetch(`${node.url}/api/me`, { headers: auth });
    expect(me.status).toBe(401);
    expect((await me.json()).error.code).toBe("INVALID_TOKEN");
    expect(await redis.exists(node.core.keys.sessions.session(sessionIdOf(s.token)))).toBe(0);
  });

  it("answers 401 with a code for missing or wrong tokens", async () => {
    const none = await fetch(`${node.url}/api/me`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("UNAUTHORIZED");
    const wrong = await fetch(`${node.url}/api/me`, { headers: { authorization: "Bearer nope" } });
    expect((await wrong.json()).error.code).toBe("INVALID_TOKEN");
  });

  it.each([
    ["empty after trim", "   "],
    ["too long", "a".repeat(21)],
    ["control character", "bad\u0007name"],
    ["symbols", "<script>"],
    ["newline", "two\nlines"],
  ])("refuses a name that is %s", async (_label, name) => {
    const res = await post({ deviceId: "device-names-01", name });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("INVALID_NAME");
  });

  it.each([["Zoë"], ["Ирина_7"], ["李小龍"], ["a-b c_d"], ["x".repeat(20)], ["नमस्ते"]])("accepts the name %s", async (name) => {
    const res = await post({ deviceId: "device-names-02", name });
    expect(res.status).toBe(201);
    expect((await res.json()).name).toBe(name.normalize("NFC"));
  });

  it("refuses bad bodies with INVALID_PAYLOAD", async () => {
    for (const body of [{}, { deviceId: "short", name: "x" }, { deviceId: "device-ok-123", name: "x", extra: 1 }, { deviceId: 5, name: "x" }]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe("INVALID_PAYLOAD");
    }
    const proto = await post(null, '{"deviceId":"device-ok-123","name":"x","__proto__":{"admin":true}}');
    expect(proto.status).toBe(400);
    expect((await proto.json()).error.code).toBe("INVALID_PAYLOAD");
    const notJson = await post(null, "{nope");
    expect(notJson.status).toBe(400);
  });

  it("refuses an oversized body with PAYLOAD_TOO_LARGE", async () => {
    const res = await post({ deviceId: "device-ok-123", name: "x".repeat(20_000) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
