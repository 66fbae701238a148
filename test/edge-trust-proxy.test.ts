/**
 * TRUST_PROXY is a list of proxies: X-Forwarded-For is believed only from a listed peer, and the client is
 * the right-most entry that is not itself a listed proxy. A client connecting directly cannot buy a fresh
 * per-address budget with a forged header (it could with the old `TRUST_PROXY=true`: any peer's right-most
 * entry was taken). The same rule serves HTTP (req.ip) and the socket handshake. Listed proxies are exempt
 * from the per-address connection cap (they carry many clients).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, startTestNode, waitFor } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { connectFrom, fetchFrom, openRaw } from "./edge-helpers.ts";

const PROXY = "127.0.0.50";
let node: RunningNode;

beforeAll(async () => {
  node = await startTestNode({ TRUST_PROXY: `${PROXY},10.0.0.0/8`, RATE_LIMITS: "login=2/1h", MAX_CONNECTIONS_PER_IP: "5" });
});
afterAll(async () => {
  await node.stop();
});

const loginVia = (from: string, xff: string | null, deviceId: string) =>
  fetchFrom(from, `${node.url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(xff === null ? {} : { "x-forwarded-for": xff }) },
    body: JSON.stringify({ deviceId, name: "Proxied" }),
  });

describe("TRUST_PROXY", () => {
  it("ignores X-Forwarded-For from a peer that is not a listed proxy: a forged header buys no fresh budget", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await loginVia("127.0.0.51", `203.0.113.${i}`, `forged-xff-device-${i}`)).status);
    expect(statuses).toEqual([201, 201, 429, 429]);
  });

  it("believes a listed proxy: the client is the right-most entry that is not a listed proxy", async () => {
    // Through the proxy, each real client has its own budget.
    expect((await loginVia(PROXY, "198.51.100.1", "via-proxy-device-1")).status).toBe(201);
    expect((await loginVia(PROXY, "198.51.100.2", "via-proxy-device-2")).status).toBe(201);
    expect((await loginVia(PROXY, "198.51.100.2", "via-proxy-device-3")).status).toBe(201);
    expect((await loginVia(PROXY, "198.51.100.2", "via-proxy-device-4")).status).toBe(429);
    // A client-supplied entry left of the real client is ignored: "1.1.1.1, 198.51.100.2" is still .2.
    expect((await loginVia(PROXY, "1.1.1.1, 198.51.100.2", "via-proxy-device-5")).status).toBe(429);
    // Two listed hops (an inner proxy in 10/8): the client is left of them.
    expect((await loginVia(PROXY, "198.51.100.3, 10.1.2.3", "via-proxy-device-6")).status).toBe(201);
  });

  it("gives the socket handshake the same client address", async () => {
    const s = await login(node, "Sock");
    const forged = await connectFrom("127.0.0.52", node, s.token, { "x-forwarded-for": "203.0.113.9" });
    expect((await node.io.fetchSockets()).map((x) => x.data.ip)).toEqual(["127.0.0.52"]);
    forged.close();
    await waitFor(async () => (await node.io.fetchSockets()).length === 0);
    const proxied = await connectFrom(PROXY, node, s.token, { "x-forwarded-for": "203.0.113.9, 10.9.9.9" });
    expect((await node.io.fetchSockets()).map((x) => x.data.ip)).toEqual(["203.0.113.9"]);
    proxied.close();
  });

  it("exempts listed proxies from the per-address connection cap, not other peers", async () => {
    const viaProxy = await openRaw(node.port, PROXY, 8);
    const direct = await openRaw(node.port, "127.0.0.53", 8);
    await new Promise((r) => setTimeout(r, 300));
    expect(viaProxy.filter((c) => c.socket.destroyed)).toHaveLength(0);
    expect(direct.filter((c) => c.socket.destroyed)).toHaveLength(3);
    for (const c of [...viaProxy, ...direct]) c.socket.destroy();
  });
});
