/**
 * One measurement of the capacity benchmark: a fresh target server and fresh bot workers, N bots joined at
 * a steady rate, wait until every bot plays, settle, then a measurement window (or, in storm mode, a mass
 * disconnect and reconnect). Everything is stopped afterwards, so each step and target starts clean and
 * steps of different targets can be interleaved (ratios then see the same background load).
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { ask, startServer, startWorkers, type SharedSettings, type TargetServer, type Workers, type WorkerWindow } from "./targets.ts";
import type { TargetKind } from "./bots.ts";
import { distOf, listenDrops, mergeHistograms, procCpuSeconds, type Dist } from "./stats.ts";

export interface MeasureOptions extends SharedSettings {
  workers: number;
  joinRatePerSecond: number;
  readyTimeoutMs: number;
  settleMs: number;
  windowMs: number;
  sourceIps: string[];
  runId: string;
  /** Take a CPU profile of the server during the window (file name in outDir). */
  profile?: string;
  /** Node/V8 flags for every target's server process (the same for all, so the comparison stays fair). */
  nodeFlags: string[];
  log: (line: string) => void;
}

export interface Row {
  target: TargetKind;
  players: number;
  /** Bots playing when the window started (should equal players). */
  playing: number;
  rampSeconds: number;
  cores: number;
  cpuMsPerPlayerSecond: number;
  /** Server CPU per snapshot a client actually received (us): fair when a starved server delivers less. */
  cpuUsPerSnapshot: number;
  redisCores: number;
  botCores: number;
  eldP99: number;
  eldMax: number;
  elu: number;
  latency: Dist;
  excess: Dist;
  join: Dist;
  lostPercent: number;
  snapshots: number;
  rssPerPlayerKiB: number;
  rssMiB: number;
  snapshotBytes: number;
  bytesPerSnapshot: number;
  botLoopP99: number;
  load1: number;
  inputs: number;
  unacked: number;
  negativeExcess: number;
  errors: Record<string, number>;
  phaseKnown: boolean;
  profile?: string;
}

export interface StormRow {
  target: TargetKind;
  players: number;
  /** Players in a match (playing) when they all dropped. */
  inMatch: number;
  back: number;
  /** Reconnected (transport open) but never put back in a match when the wait ended. */
  connectedNotBack: number;
  /** Connection attempts the kernel dropped meanwhile, listen queue full (machine-wide; NaN: unknown). */
  listenDrops: number;
  allBackSeconds: number;
  rejoin: Dist;
  reflow: Dist;
  cores: number;
  load1: number;
  errors: Record<string, number>;
  profile?: string;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Starts server + workers, joins `players` bots and waits until they all play. */
async function setUp(kind: TargetKind, players: number, o: MeasureOptions): Promise<{ server: TargetServer; workers: Workers; rssIdle: number; rampSeconds: number; playing: number }> {
  const execArgv: string[] = [...o.nodeFlags];
  const server = await startServer(kind, o, execArgv);
  let workers: Workers | null = null;
  try {
    workers = await startWorkers(o.workers, { kind, url: server.url, runId: `${o.runId}${kind[0]}${players}`, sourceIps: o.sourceIps, intervalMs: 1000 / o.tickHz });
    await sleep(500);
    const rssIdle = (await server.read()).rss;
    const n = o.workers;
    const t0 = performance.now();
    await workers.all((i) => ({ cmd: "add", count: Math.floor(players / n) + (i < players % n ? 1 : 0), perSecond: o.joinRatePerSecond / n }), o.readyTimeoutMs + players * 1000);
    let st = await workers.status();
    while (st.playing < players && performance.now() - t0 < o.readyTimeoutMs) {
      await sleep(500);
      st = await workers.status();
    }
    const rampSeconds = (performance.now() - t0) / 1000;
    if (st.playing < players) o.log(`  ! ${kind} ${players}: only ${st.playing} bots playing after ${rampSeconds.toFixed(0)} s (${st.errors} errors); measuring anyway`);
    return { server, workers, rssIdle, rampSeconds, playing: st.playing };
  } catch (err) {
    await workers?.stop();
    await server.stop();
    throw err;
  }
}

function mergeErrors(ws: WorkerWindow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of ws) for (const [k, v] of Object.entries(w.errorCodes)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + procCpuSeconds(p), 0);

/** A normal step: N players playing, one measurement window. */
export async function measureStep(kind: TargetKind, players: number, o: MeasureOptions): Promise<Row> {
  const { server, workers, rssIdle, rampSeconds, playing } = await setUp(kind, players, o);
  try {
    // The tick grid's phase: exact for the baselines, estimated by the arena node's probe during the ramp.
    let first = await server.read();
    for (let i = 0; first.phase === null && i < 20; i++) {
      await sleep(500);
      first = await server.read();
    }
    await workers.all({ cmd: "phase", phase: first.phase });
    await sleep(o.settleMs);
    if (o.profile) await ask(server.child, { cmd: "profile-start" }, "profiling");
    const botPids = workers.children.map((c) => c.pid!);
    await server.mark();
    await workers.all({ cmd: "window-start" });
    const t0 = performance.now();
    const [cpu0, bots0, redis0] = [procCpuSeconds(server.pid), cpuOf(botPids), await server.redisCpu()];
    await sleep(o.windowMs);
    const [cpu1, bots1, redis1] = [procCpuSeconds(server.pid), cpuOf(botPids), await server.redisCpu()];
    const secs = (performance.now() - t0) / 1000;
    const stats = await server.read();
    const ws = await workers.all<WorkerWindow>({ cmd: "window-end" });
    const load1 = loadavg()[0]!;
    let profile: string | undefined;
    if (o.profile) {
      profile = join(o.outDir, o.profile);
      await ask(server.child, { cmd: "profile-stop", file: profile }, "profiled", 60_000);
    }
    const c = ws.map((w) => w.counters).reduce((a, b) => {
      const out = { ...a };
      for (const k of Object.keys(b) as (keyof typeof b)[]) out[k] += b[k];
      return out;
    });
    const cores = (cpu1 - cpu0) / secs;
    return {
      target: kind,
      players,
      playing,
      rampSeconds,
      cores,
      cpuMsPerPlayerSecond: (cores * 1000) / players,
      cpuUsPerSnapshot: c.snapshots ? ((cpu1 - cpu0) * 1e6) / c.snapshots : NaN,
      redisCores: (redis1 - redis0) / secs,
      botCores: (bots1 - bots0) / secs,
      eldP99: stats.eldP99,
      eldMax: stats.eldMax,
      elu: stats.elu,
      latency: distOf(mergeHistograms(ws.map((w) => w.latency))),
      excess: distOf(mergeHistograms(ws.map((w) => w.excess))),
      join: distOf(mergeHistograms(ws.map((w) => w.join))),
      lostPercent: c.snapshots + c.lost ? (100 * c.lost) / (c.snapshots + c.lost) : NaN,
      snapshots: c.snapshots,
      rssPerPlayerKiB: (stats.rss - rssIdle) / players / 1024,
      rssMiB: stats.rss / 1048576,
      snapshotBytes: stats.extra.snapshotBytes ?? NaN,
      bytesPerSnapshot: c.snapshots ? c.bytes / c.snapshots : NaN,
      botLoopP99: Math.max(...ws.map((w) => w.loopP99)),
      load1,
      inputs: c.inputs,
      unacked: c.unacked,
      negativeExcess: c.negativeExcess,
      errors: mergeErrors(ws),
      phaseKnown: first.phase !== null,
      profile,
    };
  } finally {
    await workers.stop();
    await server.stop();
  }
}

/**
 * Reconnect storm: N players in matches drop their connections all at once (no leave), then all reconnect
 * at once with the same credentials. Measures, per player, reconnect start -> match:start (back in the
 * match) and -> first snapshot after it, and how long until every player is back.
 */
export async function measureStorm(kind: TargetKind, players: number, o: MeasureOptions & { gapMs: number }): Promise<StormRow> {
  const { server, workers } = await setUp(kind, players, o);
  try {
    await sleep(o.settleMs);
    // Only players in a match before the drop can be put back into one: the rest are not waited for.
    const inMatch = (await workers.status()).playing;
    await workers.all({ cmd: "reset-joins" });
    await workers.all({ cmd: "drop-all" });
    await sleep(o.gapMs);
    if (o.profile) await ask(server.child, { cmd: "profile-start" }, "profiling");
    const cpu0 = procCpuSeconds(server.pid);
    const drops0 = listenDrops();
    const t0 = performance.now();
    await workers.all({ cmd: "reconnect-all" });
    let st = await workers.status();
    while (st.playing < inMatch && performance.now() - t0 < o.readyTimeoutMs) {
      await sleep(100);
      st = await workers.status();
    }
    const allBackSeconds = (performance.now() - t0) / 1000;
    const cores = (procCpuSeconds(server.pid) - cpu0) / allBackSeconds;
    let profile: string | undefined;
    if (o.profile) {
      profile = join(o.outDir, o.profile);
      await ask(server.child, { cmd: "profile-stop", file: profile }, "profiled", 60_000);
    }
    await sleep(1000); // let the last first-snapshots land
    const ws = await workers.all<WorkerWindow>({ cmd: "window-end" });
    return {
      target: kind,
      players,
      inMatch,
      back: st.playing,
      connectedNotBack: st.connectedIdle,
      listenDrops: listenDrops() - drops0,
      allBackSeconds: st.playing < inMatch ? NaN : allBackSeconds,
      rejoin: distOf(mergeHistograms(ws.map((w) => w.rejoin))),
      reflow: distOf(mergeHistograms(ws.map((w) => w.reflow))),
      cores,
      load1: loadavg()[0]!,
      errors: mergeErrors(ws),
      profile,
    };
  } finally {
    await workers.stop();
    await server.stop();
  }
}
