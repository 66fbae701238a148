/**
 * A bot worker process of the capacity benchmark (forked by bench/capacity.ts, several per run so the bots'
 * CPU is counted apart from the server's and spread over cores). It owns a share of the bots, sends each
 * one's input every 100 ms (bots spread over ten 10 ms slots so inputs arrive evenly), and answers the
 * orchestrator over IPC. Messages in: init, add, status, phase, window-start, window-end, reset-joins,
 * drop-all, reconnect-all, exit. Every reply carries `cmd: "<request>:done"`.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import http from "node:http";
import { BotCore, Recorder } from "./bot-core.ts";
import { SocketBot } from "./bot-socketio.ts";
import { ColyseusBot } from "./bot-colyseus.ts";
import { encodeHistogram } from "./stats.ts";

export type TargetKind = "arena" | "relay" | "colyseus";

export interface WorkerInit {
  cmd: "init";
  kind: TargetKind;
  url: string;
  workerId: number;
  runId: string;
  sourceIps: string[];
  intervalMs: number;
}

export interface WorkerStatus {
  total: number;
  inMatch: number;
  playing: number;
  /** Connected but not in a match (storm: reconnected, yet not put back). */
  connectedIdle: number;
  errors: number;
}

export interface WorkerWindow {
  latency: string;
  excess: string;
  join: string;
  rejoin: string;
  reflow: string;
  counters: Recorder["c"];
  errorCodes: Record<string, number>;
  /** This worker's own event-loop delay p99 (ms): high values mean the bots, not the server, add delay. */
  loopP99: number;
}

const rec = new Recorder();
// Each bot is its own device: no keep-alive sharing of HTTP connections between bots (colyseus.js's
// matchmaking requests use the global agent, keep-alive by default since Node 19, and a reused connection
// the server is closing fails as "socket hang up"). Hang-ups still showed on a starved machine at 2,000
// Colyseus bots after this; their cause (server accept backlog? timeouts?) was not pinned down.
http.globalAgent = new http.Agent({ keepAlive: false });
// colyseus.js reports failed joins (e.g. "seat reservation expired") with console.warn: count them instead.
console.warn = (...args: unknown[]) => rec.error(`warn:${String(args[0]).slice(0, 60)}`);
const bots: BotCore[] = [];
let init: WorkerInit | null = null;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

let slot = 0;
const inputs = setInterval(() => {
  for (let i = slot; i < bots.length; i += 10) bots[i]!.inputTick();
  slot = (slot + 1) % 10;
}, 10);

function makeBot(id: number): BotCore {
  const o = init!;
  if (o.kind === "colyseus") return new ColyseusBot(id, rec, o.url);
  return new SocketBot(id, rec, {
    url: o.url,
    localAddress: o.sourceIps[id % o.sourceIps.length]!,
    deviceId: `cap-${o.runId}-${o.workerId}-${id}`,
    name: `b${o.workerId}x${id}`,
  });
}

function status(): WorkerStatus {
  let inMatch = 0;
  let playing = 0;
  let connectedIdle = 0;
  for (const b of bots) {
    if (b.inMatch) inMatch++;
    if (b.inMatch && b.playing) playing++;
    if (!b.inMatch && b.connected) connectedIdle++;
  }
  return { total: bots.length, inMatch, playing, connectedIdle, errors: rec.c.errors };
}

const reply = (cmd: string, body: object = {}) => process.send!({ cmd: `${cmd}:done`, ...body });

process.on("message", (raw) => {
  const m = raw as { cmd: string; count?: number; perSecond?: number; phase?: number | null };
  switch (m.cmd) {
    case "init":
      init = m as WorkerInit;
      rec.intervalMs = init.intervalMs;
      return reply("init");
    case "add": {
      // Start `count` bots at `perSecond` (this worker's share of the join rate).
      const target = bots.length + m.count!;
      const every = 1000 / Math.max(1, m.perSecond!);
      const next = () => {
        if (bots.length >= target) return reply("add", status());
        const b = makeBot(bots.length);
        bots.push(b);
        b.start();
        setTimeout(next, every);
      };
      return next();
    }
    case "status":
      return reply("status", status());
    case "phase":
      rec.phase = m.phase ?? null;
      return reply("phase");
    case "window-start":
      rec.resetWindow();
      rec.measuring = true;
      loop.reset();
      return reply("window-start");
    case "window-end": {
      rec.measuring = false;
      const w: WorkerWindow = {
        latency: encodeHistogram(rec.latency),
        excess: encodeHistogram(rec.excess),
        join: encodeHistogram(rec.join),
        rejoin: encodeHistogram(rec.rejoin),
        reflow: encodeHistogram(rec.reflow),
        counters: { ...rec.c },
        errorCodes: { ...rec.errorCodes },
        loopP99: loop.percentile(99) / 1e6,
      };
      return reply("window-end", w);
    }
    case "reset-joins":
      rec.resetJoins();
      return reply("reset-joins");
    case "drop-all":
      for (const b of bots) b.drop();
      return reply("drop-all");
    case "reconnect-all":
      for (const b of bots) b.reconnect();
      return reply("reconnect-all");
    case "exit":
      clearInterval(inputs);
      for (const b of bots) b.close();
      setTimeout(() => process.exit(0), 500);
      return;
  }
});
process.on("disconnect", () => process.exit(0));
process.send!({ cmd: "ready" });
