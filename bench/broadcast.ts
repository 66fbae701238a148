/**
 * Broadcast benchmark (run: npx tsx bench/broadcast.ts). Starts its own redis-server (no AOF), two real
 * nodes A and B in this process (over the sharded Redis adapter, as deployed), a bare socket.io server with
 * its default in-memory adapter (the baseline: one process, no Redis), and ROOMS x 8 real socket.io
 * clients in a child process (so their CPU is not counted). One realistic match snapshot per room per
 * tick (20 Hz). Three set-ups, measured in the same run, alternated twice:
 *  - in-memory: bare socket.io, clients on the sender, no adapter (the baseline);
 *  - same node: clients on A, the sender, with the Redis adapter (it still publishes each broadcast);
 *  - cross-node: clients on B: every snapshot goes A -> Redis -> B -> clients.
 * Prints node CPU per broadcast (this process; Redis's own CPU separately), the ratio cross-node /
 * in-memory (goal <= 2), and snapshot latency (send -> client receipt) p50/p99 with the extra latency
 * of crossing nodes.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { io as ioClient, type Socket } from "socket.io-client";
import { percentile, printBenchResult, startBenchRedis } from "./lib.ts";

const ROOMS = Number(process.env.BENCH_ROOMS ?? 25);
const PER_ROOM = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const HZ = 20;
const wallNow = () => performance.timeOrigin + performance.now();

// ---- client side (child process) ------------------------------------------------------------------------
if (process.argv[2] === "--clients") {
  let sockets: Socket[] = [];
  let lat: number[] = [];
  let got = 0;
  process.on("message", async (msg: { cmd: string; url?: string; tokens?: string[] }) => {
    if (msg.cmd === "connect") {
      for (const s of sockets) s.close();
      sockets = await Promise.all(
        msg.tokens!.map(
          (token) =>
            new Promise<Socket>((ok, fail) => {
              const s = ioClient(msg.url!, { transports: ["websocket"], auth: { token }, reconnection: false, forceNew: true });
              s.on("match:snapshot", (snap: { at: number }) => {
                got++;
                lat.push(wallNow() - snap.at);
              });
              s.once("connect", () => ok(s));
              s.once("connect_error", fail);
            }),
        ),
      );
      process.send!({ cmd: "connected" });
    } else if (msg.cmd === "reset") {
      lat = [];
      got = 0;
      process.send!({ cmd: "reset" });
    } else if (msg.cmd === "report") {
      process.send!({ cmd: "report", got, p50: percentile(lat, 50), p99: percentile(lat, 99) });
    } else if (msg.cmd === "exit") {
      for (const s of sockets) s.close();
      process.exit(0);
    }
  });
  process.send!({ cmd: "ready" });
} else {
  await runBench();
}

async function runBench(): Promise<void> {
  const { loadConfig } = await import("../server/config.ts");
  const { startNode } = await import("../server/node.ts");
  const { createMatch, toSnapshot } = await import("../shared/game/sim.ts");
  const { rooms } = await import("../shared/protocol.ts");
  const { stubFeature } = await import("../test/helpers/stub-feature.ts");
  const { FEATURES } = await import("../server/features.ts");

  const server = await startBenchRedis("bc");
  const redis = new Redis(server.url);
  const prefix = `bench:${randomBytes(3).toString("hex")}:`;
  // Each socket joins the room named by its player name ("r<room>-<i>"): no match runtime involved.
  const joiner = [...FEATURES.filter((f) => f.name === "players" || f.name === "sessions"), stubFeature(() => ({ onConnected: (s) => void s.join(rooms.match(`bench-${s.data.name.split("-")[0]}`)) }))];
  const cfg = (id: string) => loadConfig({}, { PORT: "0", HOST: "127.0.0.1", REDIS_URL: server.url, KEY_PREFIX: prefix, NODE_ID: id, LOG_LEVEL: "silent" });
  const a = await startNode(cfg("A"), { logger: false, features: joiner });
  const b = await startNode(cfg("B"), { logger: false, features: joiner });
  // The baseline: socket.io alone, default in-memory adapter; sockets fill rooms of 8 as they arrive.
  const { createServer } = await import("node:http");
  const { Server } = await import("socket.io");
  const bareHttp = createServer();
  const bare = new Server(bareHttp, { transports: ["websocket"], serveClient: false });
  let arrivals = 0;
  bare.on("connection", (s) => void s.join(rooms.match(`bench-r${Math.floor(arrivals++ / PER_ROOM) % ROOMS}`)));
  await new Promise<void>((ok) => bareHttp.listen(0, "127.0.0.1", () => ok()));
  const bareAddr = bareHttp.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddr === "object" && bareAddr ? bareAddr.port : 0}`;
  const child = fork(fileURLToPath(import.meta.url), ["--clients"], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const ask = <T>(msg: object, reply: string) =>
    new Promise<T>((ok) => {
      const h = (m: { cmd: string }) => {
        if (m.cmd === reply) {
          child.off("message", h);
          ok(m as T);
        }
      };
      child.on("message", h);
      if (Object.keys(msg).length) child.send(msg);
    });
  try {
    await ask({}, "ready");
    const tokens: string[] = [];
    for (let r = 0; r < ROOMS; r++) {
      for (let i = 0; i < PER_ROOM; i++) tokens.push((await a.service("sessions").store.create(`dev-bench-${r}-${i}-xx`, `r${r}-${i}`)).token);
    }
    // A realistic payload: an 8-player match in play, with its orbs.
    const state = createMatch(7, PER_ROOM, { countdownMs: 0 });
    const snap = toSnapshot(state, "bench");

    const redisCpu = async () => {
      const info = await redis.info("cpu");
      return Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]);
    };
    const run = async (where: "bare" | "A" | "B") => {
      arrivals = 0;
      await ask({ cmd: "connect", url: where === "bare" ? bareUrl : where === "A" ? a.url : b.url, tokens }, "connected");
      const sender = where === "bare" ? bare : a.io;
      // Let every join (and B's room subscriptions) settle.
      await new Promise((r) => setTimeout(r, 1000));
      await ask({ cmd: "reset" }, "reset");
      const cpu0 = process.cpuUsage();
      const r0 = await redisCpu();
      let sent = 0;
      const end = performance.now() + SECONDS * 1000;
      await new Promise<void>((done) => {
        const timer = setInterval(() => {
          if (performance.now() >= end) {
            clearInterval(timer);
            return done();
          }
          for (let r = 0; r < ROOMS; r++) {
            sender.to(rooms.match(`bench-r${r}`)).emit("match:snapshot", { ...snap, at: wallNow() } as never);
            sent++;
          }
        }, 1000 / HZ);
      });
      await new Promise((r) => setTimeout(r, 500));
      const cpu = process.cpuUsage(cpu0);
      const rcpu = (await redisCpu()) - r0;
      const rep = await ask<{ got: number; p50: number; p99: number }>({ cmd: "report" }, "report");
      return { sent, got: rep.got, cpuUsPer: (cpu.user + cpu.system) / sent, redisUsPer: (rcpu * 1e6) / sent, p50: rep.p50, p99: rep.p99 };
    };

    // Warm-up, then alternate so drift in machine load hits every set-up alike.
    await run("bare");
    type Run = Awaited<ReturnType<typeof run>>;
    const results: Record<"bare" | "A" | "B", Run[]> = { bare: [], A: [], B: [] };
    for (const where of ["bare", "A", "B", "bare", "A", "B"] as const) results[where].push(await run(where));
    const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const sum = (w: "bare" | "A" | "B") => ({
      cpu: avg(results[w].map((r) => r.cpuUsPer)),
      redis: avg(results[w].map((r) => r.redisUsPer)),
      p50: avg(results[w].map((r) => r.p50)),
      p99: avg(results[w].map((r) => r.p99)),
      delivered: results[w].reduce((s, r) => s + r.got, 0) / results[w].reduce((s, r) => s + r.sent * PER_ROOM, 0),
    });
    const mem = sum("bare");
    const same = sum("A");
    const x = sum("B");
    const bytes = JSON.stringify(snap).length;
    const line = (label: string, r: ReturnType<typeof sum>) =>
      console.log(`  ${label} node CPU ${r.cpu.toFixed(1).padStart(6)} us/broadcast  redis ${r.redis.toFixed(1).padStart(5)} us  latency p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  delivered ${(r.delivered * 100).toFixed(2)}%`);
    console.log(`broadcast benchmark: ${ROOMS} rooms x ${PER_ROOM} clients, ${ROOMS * HZ} snapshots/s of ~${bytes} B, ${SECONDS} s per run, 2 runs each`);
    line("in-memory (bare socket.io):   ", mem);
    line("same node (Redis adapter on): ", same);
    line("cross-node (A -> Redis -> B): ", x);
    console.log(`  RESULT CPU cross-node / in-memory = ${(x.cpu / mem.cpu).toFixed(2)}x (goal <= 2); counting Redis's CPU too: ${((x.cpu + x.redis) / mem.cpu).toFixed(2)}x; cross-node / same node = ${(x.cpu / same.cpu).toFixed(2)}x`);
    console.log(`  RESULT extra snapshot latency across nodes (vs in-memory): p50 +${(x.p50 - mem.p50).toFixed(2)} ms, p99 +${(x.p99 - mem.p99).toFixed(2)} ms`);
    const inMemory = { name: "in-memory socket.io, node CPU", value: mem.cpu, unit: "us/broadcast" };
    printBenchResult([
      { name: "cross-node broadcast, node CPU", value: x.cpu, unit: "us/broadcast", baseline: inMemory, ratio: x.cpu / mem.cpu, goal: "<= 2" },
      { name: "cross-node snapshot latency p99", value: x.p99, unit: "ms", baseline: { name: "in-memory p99", value: mem.p99, unit: "ms" }, ratio: x.p99 / mem.p99 },
      { name: "cross-node snapshots delivered", value: x.delivered * 100, unit: "%" },
    ]);
  } finally {
    child.send({ cmd: "exit" });
    await new Promise<void>((ok) => bare.close(() => ok()));
    await Promise.all([a.stop(), b.stop()]);
    redis.disconnect();
    await server.stop();
  }
}
