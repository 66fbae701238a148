/**
 * LISTEN_BACKLOG: when a node dies, its players reconnect to the survivors all at once. Connections the
 * node has not accepted yet wait in the kernel's accept queue; once it is full, further SYNs are dropped
 * and each client retries 1, 3, 7, 15 s later. A frozen node (SIGSTOP: a long GC pause, a stalled VM,
 * or simply an event loop busy with the storm) accepts nothing, so what completes while it is frozen is
 * exactly what its queue holds: all of a burst with the default, about 64 with LISTEN_BACKLOG=64 (the
 * control that shows this test can fail).
 */
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { TestCluster } from "./helpers/test-cluster.ts";

/** More than Node's own default queue (511), so the default LISTEN_BACKLOG is what this checks. */
const BURST = 700;
const CONTROL_BURST = 150;
/** The kernel caps every queue at net.core.somaxconn (4096 since Linux 5.4; 128 before). */
const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
const tc = new TestCluster();
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await tc.cleanup();
});

/** Opens `n` TCP connections at once; resolves with how many completed within `ms`. */
async function burst(url: string, n: number, ms: number): Promise<number> {
  const { hostname, port } = new URL(url);
  let done = 0;
  for (let i = 0; i < n; i++) {
    const s = connect({ host: hostname, port: Number(port) });
    s.on("connect", () => done++);
    s.on("error", () => {});
    sockets.push(s);
  }
  await new Promise((ok) => setTimeout(ok, ms));
  return done;
}

describe("accept queue (LISTEN_BACKLOG)", () => {
  it.skipIf(somaxconn < BURST)(`holds a whole reconnect burst while the node cannot accept; a short queue does not (needs net.core.somaxconn >= ${BURST}, here ${somaxconn})`, async () => {
    const [big, small] = await Promise.all([tc.spawnNode("backlog-default"), tc.spawnNode("backlog-64", { LISTEN_BACKLOG: "64" })]);
    tc.freeze("backlog-default");
    tc.freeze("backlog-64");
    try {
      // 2 s: past the first SYN retry (1 s), which a full queue drops again while the node stays frozen.
      const [onBig, onSmall] = await Promise.all([burst(big.url, BURST, 2000), burst(small.url, CONTROL_BURST, 2000)]);
      expect(onBig).toBe(BURST);
      expect(onSmall).toBeGreaterThan(0);
      expect(onSmall).toBeLessThanOrEqual(70);
    } finally {
      for (const s of sockets) s.destroy();
      tc.thaw("backlog-default");
      tc.thaw("backlog-64");
    }
    // Thawed, both still serve.
    for (const n of [big, small]) expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
  });
});
