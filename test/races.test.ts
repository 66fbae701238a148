/**
 * Races found by the chaos tests. A `queue:join` sent the instant a socket connects used to be acked and
 * then cancelled a few ms later: the connection's own set-up (adopting the player's ticket, on any node)
 * read the pointer the join had just reserved, found no ticket yet, and removed "the lost ticket". Acked
 * events now wait for the connection's set-up (server/sockets/event-router.ts).
 * (The other race, a host killed between appending a result and its final write, is in failover.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io as ioClient } from "socket.io-client";
import { login, type ClientSocket } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { RunningNode } from "../server/node.ts";
import type { Ack, QueueJoined } from "../shared/protocol.ts";

// Two nodes, so a player's socket may land on either; a huge fill wait keeps tickets waiting.
const tc = new TestCluster({
  env: { RATE_LIMITS: "login=100000/60s,queue_join=100000/60s", MATCH_FILL_WAIT_MS: "600000", MATCH_MIN_PLAYERS: "8", RADIUS_STEPS_KM: "1,2,3,4", RADIUS_STEPS_MS: "0,600000,700000,800000" },
});
const redis = tc.redis;
let a: RunningNode;
let b: RunningNode;

beforeAll(async () => {
  a = await tc.startNode("race-a");
  b = await tc.startNode("race-b");
});
afterAll(() => tc.cleanup());

/** Connects and sends queue:join from inside the connect handler: the first packet after the handshake. */
function connectAndJoinAtOnce(url: string, token: string, i: number): Promise<{ socket: ClientSocket; ack: Ack<QueueJoined>; cancelled: () => boolean }> {
  return new Promise((ok, fail) => {
    const socket: ClientSocket = ioClient(url, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
    let cancelled = false;
    socket.on("queue:cancelled", () => (cancelled = true));
    socket.once("connect_error", fail);
    socket.once("connect", () => {
      // Spread over the world so nobody matches anybody.
      socket.timeout(5000).emit("queue:join", { lat: -60 + (i % 120), lon: -170 + ((i * 7) % 340) }, (err: Error | null, ack: Ack<QueueJoined>) => (err ? fail(err) : ok({ socket, ack, cancelled: () => cancelled })));
    });
  });
}

describe("queue:join right after connecting", () => {
  it("200 immediate joins are all acked and none is cancelled; every ticket stays queued", async () => {
    const N = 200;
    const BATCH = 20;
    const keys = a.core.keys;
    let acked = 0;
    for (let start = 0; start < N; start += BATCH) {
      const batch = await Promise.all(
        Array.from({ length: BATCH }, async (_, j) => {
          const i = start + j;
          const node = i % 2 ? a : b;
          const s = await login(node, `Imm${i}`);
          return { s, ...(await connectAndJoinAtOnce(node.url, s.token, i)) };
        }),
      );
      // The bad outcome showed within a few ms of the ack; give it ample time.
      await new Promise((r) => setTimeout(r, 300));
      for (const { s, socket, ack, cancelled } of batch) {
        expect(ack.ok, JSON.stringify(ack)).toBe(true);
        if (!ack.ok) continue;
        acked++;
        expect(cancelled()).toBe(false);
        const pointer = await redis.get(keys.players.ticket(s.playerId));
        expect(pointer).toBe(`${ack.data.region}|${ack.data.ticketId}`);
        expect(await redis.hget(keys.matchmaking.ticket(ack.data.region, ack.data.ticketId), "status")).toBe("queued");
        socket.close();
      }
    }
    expect(acked).toBe(N);
  }, 120_000);
});
