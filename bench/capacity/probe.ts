/**
 * The measuring end inside each server process of the capacity benchmark (arena node, relay, Colyseus),
 * driven over the fork() IPC channel by bench/capacity.ts. It adds no code path to the server itself:
 *  - event-loop delay: perf_hooks monitorEventLoopDelay at 1 ms resolution (a libuv timer, ~1,000 cheap
 *    wake-ups a second, the same on every target), plus event-loop utilisation (share of time busy);
 *  - the tick grid: the server tells `tick(at)` when a tick pass starts; `phase` is its fixed 20 Hz grid
 *    (exact when the server knows its grid origin, else estimated from those instants, see gridPhase);
 *  - RSS; a CPU profile of one window (node:inspector, written as a .cpuprofile) on request.
 * Messages: in {cmd: "mark"} (start a window), {cmd: "read"} (end it: answer "stats"), {cmd:
 * "profile-start"}, {cmd: "profile-stop", file}, {cmd: "exit"}; out {cmd: "ready", url, pid}, "stats",
 * "profiled", "marked".
 */
import { monitorEventLoopDelay, performance as perf, type EventLoopUtilization } from "node:perf_hooks";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { gridPhase } from "./stats.ts";

export interface ServerStats {
  cmd: "stats";
  eldP50: number;
  eldP99: number;
  eldMax: number;
  /** Event-loop utilisation over the window, 0..1. */
  elu: number;
  rss: number;
  /** Phase (ms, 0..interval) of the tick grid in wall time, or null when unknown. */
  phase: number | null;
  /** Extra figures a server wants in the report (e.g. bytes per snapshot). */
  extra: Record<string, number>;
}

export interface ProbeOptions {
  url: string;
  tickIntervalMs: number;
  /** Exact grid origin (wall ms) when the server drives its own fixed grid. */
  gridOriginWall?: number;
  /** Exact grid phase read from the server when it can be (null: fall back to estimating it). */
  gridPhase?: () => number | null;
  extra?: () => Record<string, number>;
  stop: () => Promise<void>;
}

export interface Probe {
  /** Called at the start of each tick pass with wall time; used to estimate the grid when no origin is given. */
  tick(atWall: number): void;
}

export function startProbe(opts: ProbeOptions): Probe {
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let eluMark: EventLoopUtilization = perf.eventLoopUtilization();
  const starts: number[] = [];
  let estimated: number | null = null;
  let tries = 0;
  let session: Session | null = null;
  const phase = (): number | null => {
    if (opts.gridOriginWall !== undefined) return opts.gridOriginWall % opts.tickIntervalMs;
    const exact = opts.gridPhase?.();
    if (exact !== undefined && exact !== null) return exact;
    // Keep the first clear estimate (taken on a quiet node); the grid only ever moves by whole ticks.
    estimated ??= gridPhase(starts, opts.tickIntervalMs);
    return estimated;
  };
  const reply = (m: object) => process.send?.(m);
  process.on("message", (raw) => {
    const m = raw as { cmd: string; file?: string };
    void (async () => {
      if (m.cmd === "mark") {
        eld.reset();
        eluMark = perf.eventLoopUtilization();
        reply({ cmd: "marked" });
      } else if (m.cmd === "read") {
        const elu = perf.eventLoopUtilization(eluMark).utilization;
        const ms = (ns: number) => ns / 1e6;
        const stats: ServerStats = {
          cmd: "stats",
          eldP50: ms(eld.percentile(50)),
          eldP99: ms(eld.percentile(99)),
          eldMax: ms(eld.max),
          elu,
          rss: process.memoryUsage.rss(),
          phase: phase(),
          extra: opts.extra?.() ?? {},
        };
        reply(stats);
      } else if (m.cmd === "profile-start") {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        // BENCH_HEAP_PROFILE=1: also sample allocations (collected ones included: what the GC works on).
        if (process.env.BENCH_HEAP_PROFILE === "1")
          await session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        reply({ cmd: "profiling" });
      } else if (m.cmd === "profile-stop" && session) {
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(m.file!, JSON.stringify(profile));
        if (process.env.BENCH_HEAP_PROFILE === "1") {
          const heap = await session.post("HeapProfiler.stopSampling");
          writeFileSync(m.file!.replace(/\.cpuprofile$/, ".heapprofile"), JSON.stringify(heap.profile));
        }
        session.disconnect();
        session = null;
        reply({ cmd: "profiled", file: m.file });
      } else if (m.cmd === "exit") {
        await opts.stop().catch(() => {});
        process.exit(0);
      }
    })().catch((err: unknown) => console.error("[probe]", err));
  });
  // The parent died (Ctrl-C, crash): do not linger holding ports.
  process.on("disconnect", () => void opts.stop().finally(() => process.exit(0)));
  reply({ cmd: "ready", url: opts.url, pid: process.pid });
  return {
    tick(atWall) {
      if (estimated !== null || opts.gridOriginWall !== undefined) return;
      starts.push(atWall);
      // Estimated as early as possible: the first passes run while the node is least loaded.
      if (starts.length >= 100 && ++tries % 50 === 0) estimated = gridPhase(starts, opts.tickIntervalMs);
      if (starts.length > 400) starts.splice(0, starts.length - 400);
    },
  };
}
