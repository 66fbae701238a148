/**
 * Measurement helpers of the capacity benchmark, used on every side (bots, servers, orchestrator):
 * HDR histograms that travel between processes as compressed base64 and merge exactly, /proc readers for a
 * process's CPU time and RSS, and the wall clock every process shares.
 */
import { readFileSync } from "node:fs";
import * as hdr from "hdr-histogram-js";

/** Milliseconds since the epoch with sub-millisecond resolution; comparable across processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** A latency histogram in microseconds, 3 significant digits, 1 us .. 10 min. */
export function newHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: false, useWebAssembly: false });
}

/** Records `ms` (clamped into the histogram's range) as microseconds. */
export function recordMs(h: hdr.Histogram, ms: number): void {
  h.recordValue(Math.min(600_000_000, Math.max(0, Math.round(ms * 1000))));
}

export const encodeHistogram = (h: hdr.Histogram): string => hdr.encodeIntoCompressedBase64(h);

/** Merges encoded histograms (one per worker) into one. */
export function mergeHistograms(encoded: string[]): hdr.Histogram {
  const out = newHistogram();
  for (const e of encoded) out.add(hdr.decodeFromCompressedBase64(e, 32, false));
  return out;
}

/** p-th percentile (0..100) of a histogram, in ms; NaN when empty. */
export function pctMs(h: hdr.Histogram, p: number): number {
  return h.totalCount ? h.getValueAtPercentile(p) / 1000 : NaN;
}

/** The figures a table row needs from one latency histogram. */
export interface Dist {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function distOf(h: hdr.Histogram): Dist {
  return { count: h.totalCount, p50: pctMs(h, 50), p99: pctMs(h, 99), max: h.totalCount ? h.maxValue / 1000 : NaN };
}

const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s on every mainstream kernel.

/** User + system CPU seconds a process has used so far (Linux /proc), NaN if it is gone. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces: split after its closing parenthesis. utime, stime = fields 14, 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in bytes (Linux /proc), NaN if it is gone. */
export function procRssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The soft limit on open files of this process (Linux), or NaN. */
export function openFilesLimit(): number {
  try {
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? (m[1] === "unlimited" ? Infinity : Number(m[1])) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The phase (0 <= phase < interval, ms) of a fixed tick grid from the instants its ticks actually started.
 * A tick starts at its grid instant plus a lateness >= 0 that is usually tiny, so the offsets (t mod
 * interval) bunch up just after the phase; the largest empty arc of the circle ends where the bunch
 * starts. Returns null when the offsets are too spread for that to be clear (largest gap < half an
 * interval: a loaded node), so callers estimate it on a quiet node and keep it (the grid never shifts by
 * anything but whole intervals).
 */
export function gridPhase(tickStarts: number[], intervalMs: number): number | null {
  if (tickStarts.length < 10) return null;
  const offs = tickStarts.map((t) => ((t % intervalMs) + intervalMs) % intervalMs).sort((a, b) => a - b);
  let best = offs[0]! + intervalMs - offs[offs.length - 1]!;
  let phase = offs[0]!;
  for (let i = 1; i < offs.length; i++) {
    const gap = offs[i]! - offs[i - 1]!;
    if (gap > best) {
      best = gap;
      phase = offs[i]!;
    }
  }
  return best >= intervalMs / 2 ? phase : null;
}

/** The first grid instant (phase + k x interval) at or after `t`. */
export function nextGridInstant(t: number, phase: number, intervalMs: number): number {
  return phase + Math.ceil((t - phase) / intervalMs) * intervalMs;
}

/**
 * Connection attempts the kernel dropped because a listen queue was full (TcpExt ListenDrops in
 * /proc/net/netstat, machine-wide; NaN where it cannot be read). A dropped SYN is retried 1, 3, 7, 15 s
 * later, which is what a too-short accept queue does to a reconnect storm.
 */
export function listenDrops(): number {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n").filter((l) => l.startsWith("TcpExt:"));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf("ListenDrops")]);
  } catch {
    return NaN;
  }
}
