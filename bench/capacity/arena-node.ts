/**
 * Bench-only entry of the arena node (forked by bench/capacity.ts): the real node, started the way
 * server/main.ts starts it (loadConfig from the environment, startNode), with the capacity probe beside it.
 * Redis is given by the parent (REDIS_URL) so its CPU is measured apart from the node's. Hooks, all
 * read-only and outside server/: the tick grid's phase is read from the matches module's tick loop (its
 * next due instant), and a wrapper around the socket.io adapter's `broadcast` notes the first snapshot
 * broadcast of each tick pass (the fallback phase estimate) and samples snapshot sizes.
 */
import { loadConfig } from "../../server/config.ts";
import { startNode } from "../../server/node.ts";
import { startProbe } from "./probe.ts";
import { wallNow } from "./stats.ts";

const config = loadConfig();
const node = await startNode(config);
let lastBroadcast = 0;
let sampled = 0;
let sampledBytes = 0;
let broadcasts = 0;
const interval = 1000 / config.TICK_HZ;
// The matches feature's tick loop knows its next due instant (performance.now() of this process); its
// phase on the wall clock is the grid's.
const matches = node.service("matches");
const exactPhase = (): number | null => {
  const next = matches.nextTickAt();
  return next > 0 ? (performance.timeOrigin + next) % interval : null;
};
const probe = startProbe({
  url: node.url,
  tickIntervalMs: interval,
  gridPhase: exactPhase,
  extra: () => ({ snapshotBytes: sampled ? sampledBytes / sampled : NaN }),
  stop: () => node.stop(),
});

type Broadcast = (packet: { data?: unknown[] }, opts: unknown) => unknown;
const adapter = node.io.of("/").adapter as unknown as { broadcast: Broadcast };
const original = adapter.broadcast.bind(adapter);
adapter.broadcast = (packet, opts) => {
  if (packet.data?.[0] === "match:snapshot") {
    const t = wallNow();
    // Broadcasts of one pass follow each other within microseconds; a new pass is >= a few ms later.
    if (t - lastBroadcast > 5) probe.tick(t);
    lastBroadcast = t;
    if (broadcasts++ % 97 === 0) {
      sampled++;
      const payload = packet.data[1];
      sampledBytes += typeof payload === "string" ? payload.length : JSON.stringify(payload).length;
    }
  }
  return original(packet, opts);
};
process.on("SIGTERM", () => void node.stop().finally(() => process.exit(0)));
