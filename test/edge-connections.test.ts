/**
 * Connections and slow clients against real nodes over real TCP: a per-address cap on open connections
 * (what took a node offline: hundreds of idle connections from one address), a per-node cap, timeouts for
 * idle connections, slow request heads and bodies and idle keep-alive, and the websockets that must
 * survive those timeouts. Distinct loopback source addresses (127.0.0.x) play distinct clients.
 */
import { afterAll, describe, expect, it } from "vitest";
import { keysMatching, login, redisClient, request, startTestNode, waitFor } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import { connectFrom, fetchFrom, metricValue, openRaw, rawConnect, type RawConn } from "./edge-helpers.ts";
import { ThrottledLog } from "../server/http/throttled-log.ts";
import type { FastifyBaseLogger } from "fastify";

const nodes: RunningNode[] = [];
const conns: RawConn[] = [];
async function node(env: Parameters<typeof startTestNode>[0] = {}): Promise<RunningNode> {
  const n = await startTestNode(env);
  nodes.push(n);
  return n;
}
async function openMany(port: number, from: string, count: number): Promise<RawConn[]> {
  const out = await openRaw(port, from, count);
  conns.push(...out);
  return out;
}
const isClosed = (c: RawConn) => c.socket.destroyed || c.socket.readyState === "closed";

afterAll(async () => {
  for (const c of conns) c.socket.destroy();
  await Promise.all(nodes.map((n) => n.stop()));
});

describe("connection caps", () => {
  it("one address cannot hold more than MAX_CONNECTIONS_PER_IP (default 256) connections; the node stays up for everyone else", async () => {
    const n = await node();
    const idle = await openMany(n.port, "127.0.0.2", 300);
    // The 44 over the cap are answered 503 TOO_MANY_CONNECTIONS and closed at once.
    await waitFor(() => idle.filter(isClosed).length >= 44, 5000);
    const refused = idle.filter(isClosed);
    expect(refused).toHaveLength(44);
    for (const c of refused) expect(c.received()).toMatch(/^HTTP\/1\.1 503 [^]*"code":"TOO_MANY_CONNECTIONS"/);
    expect(await metricValue(n.metrics.registry, "arena_connections_refused_total", { reason: "per_address" })).toBe(44);

    // Everyone else is served: probes, logins, sockets.
    expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${n.url}/readyz`)).status).toBe(200);
    const s = await login(n, "Bystander");
    const sock = await connectFrom("127.0.0.3", n, s.token);
    expect(await request(sock, "net:ping", { t: 1 })).toMatchObject({ ok: true });
    sock.close();

    // The flooding address itself is refused until it lets go of some.
    const more = await fetchFrom("127.0.0.2", `${n.url}/healthz`).then((r) => r.status, () => "refused");
    expect([503, "refused"]).toContain(more);
    for (const c of idle) c.socket.destroy();
    await waitFor(async () => (await fetchFrom("127.0.0.2", `${n.url}/healthz`).then((r) => r.status, () => 0)) === 200, 5000);
  });

  it("the node as a whole stops at MAX_CONNECTIONS, whatever the addresses", async () => {
    const n = await node({ MAX_CONNECTIONS: "20" });
    const a = await openMany(n.port, "127.0.0.4", 10);
    const b = await openMany(n.port, "127.0.0.5", 10);
    const late = await rawConnect(n.port, "127.0.0.6");
    conns.push(late);
    await late.closed;
    expect(late.received()).toMatch(/503[^]*TOO_MANY_CONNECTIONS/);
    expect([...a, ...b].some(isClosed)).toBe(false);
    expect(await metricValue(n.metrics.registry, "arena_connections_refused_total", { reason: "total" })).toBe(1);
    for (const c of [...a, ...b]) c.socket.destroy();
  });
});

describe("timeouts", () => {
  const env = { HTTP_HEADERS_TIMEOUT_MS: "1000", HTTP_REQUEST_TIMEOUT_MS: "2000", HTTP_KEEPALIVE_TIMEOUT_MS: "1000", HTTP_IDLE_TIMEOUT_MS: "1500" } as const;

  it("closes a connection that never sends a request (408 after HTTP_HEADERS_TIMEOUT_MS)", async () => {
    const n = await node(env);
    const c = await rawConnect(n.port, "127.0.0.7");
    conns.push(c);
    const ms = await c.closed;
    expect(ms).toBeLessThan(4000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a request whose body trickles in (one byte every 300 ms): 408, nothing written", async () => {
    const n = await node(env);
    const c = await rawConnect(n.port, "127.0.0.8");
    conns.push(c);
    const body = JSON.stringify({ deviceId: "slow-body-device-1", name: "Slow" });
    c.socket.write(`POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let i = 0;
    const drip = setInterval(() => i < body.length - 1 && !c.socket.destroyed && c.socket.write(body[i++]!), 300);
    const ms = await c.closed;
    clearInterval(drip);
    expect(ms).toBeLessThan(5000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    const redis = redisClient();
    expect(await keysMatching(redis, `${n.core.keys.prefix}*device*slow-body*`)).toEqual([]);
    await redis.quit();
  });

  it("closes an idle keep-alive connection after HTTP_KEEPALIVE_TIMEOUT_MS", async () => {
    const n = await node(env);
    const c = await rawConnect(n.port, "127.0.0.9");
    conns.push(c);
    c.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    const ms = await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeGreaterThan(800);
    expect(ms).toBeLessThan(4000);
  });

  it("leaves websockets alone: a quiet socket outlives every HTTP timeout", async () => {
    const n = await node(env);
    const s = await login(n, "Quiet");
    const sock = await connectFrom("127.0.0.10", n, s.token);
    await new Promise((r) => setTimeout(r, 3500));
    expect(sock.connected).toBe(true);
    expect(await request(sock, "net:ping", { t: 2 })).toMatchObject({ ok: true });
    sock.close();
  });
});

describe("refusals are logged, at most once per interval per reason", () => {
  it("logs the first refusal, counts the rest, logs again after the interval with the count", () => {
    const lines: Record<string, unknown>[] = [];
    const log = { warn: (fields: Record<string, unknown>) => lines.push(fields) } as unknown as FastifyBaseLogger;
    let t = 0;
    const throttled = new ThrottledLog(log, 10_000, () => t);
    for (let i = 0; i < 500; i++) throttled.warn("per_address", { address: "127.0.0.2" }, "refused");
    throttled.warn("total", {}, "refused");
    expect(lines).toHaveLength(2);
    t = 10_001;
    throttled.warn("per_address", { address: "127.0.0.2" }, "refused");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ reason: "per_address", notLoggedSinceLast: 499 });
  });
});
