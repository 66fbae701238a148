/**
 * Work that used to be free for a client: net:ping (per player, in memory), socket handshakes (per
 * address: before the upgrade, and for CONNECTs repeated on one WebSocket) and bad tokens (per address:
 * once spent, tokens are refused before any Redis call, except those this node has seen valid). Real
 * node, real sockets and HTTP; distinct loopback source addresses play distinct clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login, request, startTestNode, waitFor } from "./helpers/harness.ts";
import type { RunningNode } from "../server/node.ts";
import type { Ack } from "../shared/protocol.ts";
import { connectFrom, fetchFrom, metricValue, repeatedConnects } from "./edge-helpers.ts";

let node: RunningNode;

beforeAll(async () => {
  node = await startTestNode({ HANDSHAKES_PER_IP_PER_SECOND: "2", RATE_LIMITS: "bad_token=10/1h,ping=10/1h" });
});
afterAll(async () => {
  await node.stop();
});

const bogus = (i: number) => `${"b".repeat(40)}${String(i).padStart(3, "0")}`;

describe("net:ping", () => {
  it("answers a player's pings up to the budget, then RATE_LIMITED (no Redis involved); a flood ends in a ban", async () => {
    const s = await login(node, "Pinger");
    const sock = await connectFrom("127.0.0.30", node, s.token);
    const acks = (await Promise.all(Array.from({ length: 15 }, (_, i) => request(sock, "net:ping", { t: i })))) as Ack<unknown>[];
    expect(acks.filter((a) => a.ok)).toHaveLength(10);
    for (const a of acks.filter((x) => !x.ok)) expect(a).toMatchObject({ ok: false, error: { code: "RATE_LIMITED" } });
    expect(await metricValue(node.metrics.registry, "arena_rate_limited_total", { action: "ping" })).toBe(5);
    // 240,000 replies in 8 s was the finding: now the player is banned after BAN_THRESHOLD refusals.
    const gone = new Promise<void>((ok) => sock.once("disconnect", () => ok()));
    for (let i = 0; i < 200; i++) sock.emit("net:ping", { t: i }, () => {});
    await gone;
    await expect(connectFrom("127.0.0.30", node, s.token)).rejects.toMatchObject({ data: { code: "BANNED" } });
  });
});

describe("bad tokens", () => {
  it("answers INVALID_TOKEN up to the address's budget, then 429 before any lookup; tokens this node saw valid still work", async () => {
    const from = "127.0.0.31";
    const good = await login(node, "Known");
    // Seen valid on this node from that address (a socket, then an HTTP call).
    const sock = await connectFrom(from, node, good.token);
    const fresh = await login(node, "Unseen");
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await fetchFrom(from, `${node.url}/api/me`, { headers: { authorization: `Bearer ${bogus(i)}` } })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429, 429, 429]);
    const refused = await fetchFrom(from, `${node.url}/api/me`, { headers: { authorization: `Bearer ${bogus(99)}` } });
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(await refused.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    // A token this node has seen valid passes (Redis still decides); one it has not seen waits like the rest.
    expect((await fetchFrom(from, `${node.url}/api/me`, { headers: { authorization: `Bearer ${good.token}` } })).status).toBe(200);
    expect((await fetchFrom(from, `${node.url}/api/me`, { headers: { authorization: `Bearer ${fresh.token}` } })).status).toBe(429);
    // The same budget covers socket handshakes.
    await expect(connectFrom(from, node, bogus(7))).rejects.toMatchObject({ data: { code: "RATE_LIMITED" } });
    // Other addresses are not affected.
    expect((await fetchFrom("127.0.0.32", `${node.url}/api/me`, { headers: { authorization: `Bearer ${fresh.token}` } })).status).toBe(200);
    sock.close();
  });
});

describe("socket handshakes", () => {
  it("refuses an address's handshakes over HANDSHAKES_PER_IP_PER_SECOND (burst 3 s worth) before the upgrade; other addresses connect", async () => {
    const from = "127.0.0.33";
    const before = await metricValue(node.metrics.registry, "arena_handshakes_refused_total", { reason: "rate" });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        connectFrom(from, node, undefined).then(
          () => "connected",
          (err: { data?: { code?: string }; message: string }) => err.data?.code ?? err.message,
        ),
      ),
    );
    // Burst 6: six reach the auth check (no token: UNAUTHORIZED), the rest are refused at the upgrade.
    expect(outcomes.filter((o) => o === "UNAUTHORIZED")).toHaveLength(6);
    expect(outcomes.filter((o) => o === "websocket error")).toHaveLength(4);
    expect((await metricValue(node.metrics.registry, "arena_handshakes_refused_total", { reason: "rate" })) - before).toBe(4);
    const s = await login(node, "Elsewhere");
    (await connectFrom("127.0.0.34", node, s.token)).close();
    // The budget refills: 2 per second.
    await waitFor(async () => (await connectFrom(from, node, undefined).catch((e: { data?: { code?: string } }) => e.data?.code)) === "UNAUTHORIZED", 3000, 200);
  });

  it("counts CONNECTs repeated on one WebSocket against the same budget", async () => {
    const answers = await repeatedConnects("127.0.0.35", node, 12);
    // The first CONNECT rides on the upgrade's token; the next 5 spend the rest of the burst (6), the other 6
    // are refused before authentication (those answer at once, so they may arrive first).
    expect(answers.filter((a) => a.code === "INVALID_TOKEN")).toHaveLength(6);
    expect(answers.filter((a) => a.code === "RATE_LIMITED")).toHaveLength(6);
  });
});
