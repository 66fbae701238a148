import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../server/redis/connection.ts";
import { connectClient, login, nextEvent, redisClient, request, startTestNode, uniquePrefix, waitFor, type ClientSocket } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { sessionIdOf } from "../server/sessions/session-store.ts";

let a: RunningNode;
let b: RunningNode;
let redis: RedisClient;
const sockets: ClientSocket[] = [];
const track = (s: ClientSocket) => (sockets.push(s), s);

beforeAll(async () => {
  // Two nodes sharing one RedisClient and one key prefix: one cluster.
  const prefix = uniquePrefix("hs");
  a = await startTestNode({ KEY_PREFIX: prefix, NODE_ID: "node-a" });
  b = await startTestNode({ KEY_PREFIX: prefix, NODE_ID: "node-b" });
  redis = redisClient();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a.stop(), b.stop()]);
  await redis.quit();
});

describe("socket handshake", () => {
  it("accepts a valid token and answers ping", async () => {
    const s = await login(a, "Valid");
    const sock = track(await connectClient(a, s.token));
    const res = await request<{ t: number; serverTime: number }>(sock, "net:ping", { t: 42 });
    expect(res).toMatchObject({ ok: true, data: { t: 42 } });
  });

  it("refuses a missing token with UNAUTHORIZED", async () => {
    await expect(connectClient(a, undefined)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });

  it("refuses a wrong token with INVALID_TOKEN", async () => {
    await expect(connectClient(a, "x".repeat(43))).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });
    await expect(connectClient(a, "short")).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });
  });

  it("refuses an expired token with INVALID_TOKEN", async () => {
    const s = await login(a, "Expiring");
    const key = a.core.keys.sessions.session(sessionIdOf(s.token));
    await redis.pexpire(key, 1);
    await waitFor(async () => (await redis.exists(key)) === 0);
    await expect(connectClient(a, s.token)).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });
  });

  it("answers unknown events and bad payloads with codes, and keeps serving", async () => {
    const s = await login(a, "Sloppy");
    const sock = track(await connectClient(a, s.token));
    expect(await request(sock, "no:such:event", {})).toMatchObject({ ok: false, error: { code: "UNKNOWN_EVENT" } });
    expect(await request(sock, "net:ping", { t: "soon" })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await request(sock, "net:ping", { t: 1, extra: true })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await request(sock, "net:ping", { t: 7 })).toMatchObject({ ok: true, data: { t: 7 } });
  });

  it("keeps one live socket per player, across nodes", async () => {
    const s = await login(a, "Twice");
    const first = track(await connectClient(a, s.token));
    const notice = nextEvent<{ code: string }>(first, "server:notice");
    const gone = new Promise<string>((ok) => first.once("disconnect", (reason) => ok(reason)));
    const second = track(await connectClient(b, s.token));
    expect((await notice).code).toBe("SESSION_REPLACED");
    expect(await gone).toBe("io server disconnect");
    expect(second.connected).toBe(true);
    // The survivor is the only socket of this player in the whole cluster.
    await waitFor(async () => (await b.io.in(`player:${s.playerId}`).fetchSockets()).length === 1);
    const left = await a.io.in(`player:${s.playerId}`).fetchSockets();
    expect(left.map((x) => x.id)).toEqual([second.id]);
  });

  it("leaves exactly one socket when two connections race on two nodes", async () => {
    const s = await login(a, "Racer");
    const [x, y] = await Promise.all([connectClient(a, s.token), connectClient(b, s.token)]);
    track(x);
    track(y);
    await waitFor(async () => (await a.io.in(`player:${s.playerId}`).fetchSockets()).length === 1, 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect([x.connected, y.connected].filter(Boolean)).toHaveLength(1);
  });

  it("closes the player's socket on logout", async () => {
    const s = await login(b, "Bye");
    const sock = track(await connectClient(a, s.token));
    const gone = new Promise<void>((ok) => sock.once("disconnect", () => ok()));
    const res = await fetch(`${b.url}/api/sessions/current`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(204);
    await gone;
    await expect(connectClient(a, s.token)).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });
  });
});
