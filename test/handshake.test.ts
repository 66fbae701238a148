import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, login, request, uniquePrefix, waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import { sessionIdOf } from "../server/sessions/session-store.ts";

// Two nodes sharing one Redis and one key prefix: one cluster.
const tc = new TestCluster({ prefix: uniquePrefix("hs") });
const redis = tc.redis;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("node-a");
  b = await tc.startNode("node-b");
});
afterAll(() => tc.cleanup());

describe("socket handshake", () => {
  it("accepts a valid token and answers ping", async () => {
    const sock = await tc.player(a, "Valid");
    const res = await sock.request("net:ping", { t: 42 });
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
    // Untyped on purpose: unknown events and bad payloads.
    const sock = (await tc.player(a, "Sloppy")).typed;
    expect(await request(sock, "no:such:event", {})).toMatchObject({ ok: false, error: { code: "UNKNOWN_EVENT" } });
    expect(await request(sock, "net:ping", { t: "soon" })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await request(sock, "net:ping", { t: 1, extra: true })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await request(sock, "net:ping", { t: 7 })).toMatchObject({ ok: true, data: { t: 7 } });
  });

  it("keeps one live socket per player, across nodes", async () => {
    const first = await tc.player(a, "Twice");
    const s = first.session;
    const notice = first.next("server:notice", 5000);
    const gone = new Promise<string>((ok) => first.socket.once("disconnect", (reason) => ok(reason)));
    const second = await tc.connect(b, s);
    expect((await notice).code).toBe("SESSION_REPLACED");
    expect(await gone).toBe("io server disconnect");
    expect(second.socket.connected).toBe(true);
    // The survivor is the only socket of this player in the whole cluster.
    await waitFor(async () => (await b.io.in(`player:${s.playerId}`).fetchSockets()).length === 1);
    const left = await a.io.in(`player:${s.playerId}`).fetchSockets();
    expect(left.map((x) => x.id)).toEqual([second.socket.id]);
  });

  it("leaves exactly one socket when two connections race on two nodes", async () => {
    const s = await login(a, "Racer");
    const [x, y] = await Promise.all([tc.connect(a, s), tc.connect(b, s)]);
    await waitFor(async () => (await a.io.in(`player:${s.playerId}`).fetchSockets()).length === 1, 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect([x.socket.connected, y.socket.connected].filter(Boolean)).toHaveLength(1);
  });

  it("closes the player's socket on logout", async () => {
    const s = await login(b, "Bye");
    const sock = (await tc.connect(a, s)).socket;
    const gone = new Promise<void>((ok) => sock.once("disconnect", () => ok()));
    const res = await fetch(`${b.url}/api/sessions/current`, { method: "DELETE", headers: { authorization: `Bearer ${s.token}` } });
    expect(res.status).toBe(204);
    await gone;
    await expect(connectClient(a, s.token)).rejects.toMatchObject({ data: { code: "INVALID_TOKEN" } });
  });
});
