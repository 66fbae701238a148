/**
 * The TestCluster helper itself: in-process and spawned nodes over the engine's Redis with one prefix,
 * typed requests and events, kill -9 / SIGSTOP of a process, and one cleanup that leaves nothing running.
 */
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { waitFor } from "./helpers/harness.ts";
import { TestCluster } from "./helpers/test-cluster.ts";
import type { Ack, Pong, QueueJoined } from "../shared/protocol.ts";
import type { MatchEnd } from "../shared/game/types.ts";

const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0);
  } catch {
    return false;
  }
};

const tc = new TestCluster({ env: { HEARTBEAT_INTERVAL_MS: "200", NODE_TTL_MS: "1000" } });
afterAll(() => tc.cleanup());

describe("TestCluster", () => {
  it("runs in-process and spawned nodes as one cluster, with typed clients, and cleans everything up once", async () => {
    const a = await tc.startNode("tc-a");
    const p = await tc.spawnNode("tc-p");
    await tc.waitForNodes(["tc-a", "tc-p"]);
    expect(await tc.redis.hget(tc.keys.nodes.node("tc-p"), "url")).toBe(p.url);

    // Logged in on one node, connected to the other: the session is shared through Redis.
    const ada = await tc.player(a, "Ada", p);
    const pong = await ada.request("net:ping", { t: 7 });
    expectTypeOf(pong).toEqualTypeOf<Ack<Pong>>();
    expect(pong).toMatchObject({ ok: true, data: { t: 7 } });
    const joined = await ada.request("queue:join", { region: "eu-west" });
    expectTypeOf(joined).toEqualTypeOf<Ack<QueueJoined>>();
    expect(joined.ok).toBe(true);
    const bad = await ada.request("queue:join", { region: "mars" } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expectTypeOf(() => ada.next("match:end", 1)).returns.toEqualTypeOf<Promise<MatchEnd>>();
    // Checked by tsc (npm test), never run: what the typed request refuses.
    const refused = () => {
      // @ts-expect-error not a client event
      void ada.request("nope", {});
      // @ts-expect-error a wrong payload
      void ada.request("net:ping", { t: "soon" });
      // @ts-expect-error match:input is never acked
      void ada.request("match:input", { s: 1, x: 0, y: 0, d: false });
    };
    void refused;

    // SIGSTOP: the frozen process stops heartbeating and drops out of the registry; SIGCONT brings it back.
    tc.freeze("tc-p");
    await tc.waitForNodes(["tc-a"], 10_000);
    tc.thaw("tc-p");
    await tc.waitForNodes(["tc-a", "tc-p"], 10_000);

    // kill -9: the process is gone, its player's socket drops.
    const pid = p.child.pid;
    const dropped = new Promise((ok) => ada.socket.once("disconnect", ok));
    await tc.kill9("tc-p");
    expect(alive(pid)).toBe(false);
    await dropped;
    expect(() => tc.process("tc-p")).toThrow(/no node process/);

    const again = await tc.spawnNode("tc-q");
    const bob = await tc.player(again, "Bob");
    const qpid = again.child.pid;
    await tc.cleanup();
    await tc.cleanup(); // idempotent
    expect(alive(qpid)).toBe(false);
    expect(bob.socket.connected).toBe(false);
    await waitFor(() => tc.redis.status === "end", 2000);
  }, 90_000); // two node processes start (tsx) on a shared 2-core machine
});
