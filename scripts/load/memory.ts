/**
 * Memory growth of a node over a run, from its samples. A garbage-collected heap saws: RSS climbs for
 * minutes and drops by a third at a major collection (150-225 MB per node in the 30-minute soak). A
 * reading at two moments, a median of a minute, even a line fitted through every sample, mostly measure
 * where the saw was (a node that sat at the top of its saw for the last ten minutes "grew" 26 % by the
 * fitted line, then fell to 119 MB, below where it started, once the players left). The top of the saw
 * is what V8 lets the heap reach before it collects, and it rises with the live heap: so the gate
 * compares the peak RSS of the first window (from minute 5 of play) with the peak of the last window of
 * play. The lowest live heap (`nodejs_heap_size_used_bytes`) of each window is shown next to it.
 */
import type { NodeSample } from "./node-sampler.ts";

export interface MemoryGrowth {
  /** Peak RSS in the first and the last window, bytes. */
  basePeak: number;
  endPeak: number;
  growthPct: number;
  /** Lowest and highest RSS over the whole measured span. */
  min: number;
  max: number;
  /** Lowest heap used in the first and the last window, bytes (null without the metric). */
  heapFloorStart: number | null;
  heapFloorEnd: number | null;
  windowSeconds: number;
}

/** Windows of up to 5 minutes at both ends of [from, to] seconds; null when under a minute or few samples. */
export function memoryGrowth(samples: NodeSample[], nodeId: string, from: number, to: number): MemoryGrowth | null {
  const window = Math.min(300, (to - from) / 2);
  if (window < 60) return null;
  const mine = samples.filter((s) => s.nodeId === nodeId && s.t >= from && s.t <= to);
  const pick = (a: number, b: number, f: (s: NodeSample) => number | null) => mine.filter((s) => s.t >= a && s.t <= b).map(f).filter((v): v is number => v !== null);
  const first = pick(from, from + window, (s) => s.rssBytes);
  const last = pick(to - window, to, (s) => s.rssBytes);
  if (first.length < 3 || last.length < 3) return null;
  const all = pick(from, to, (s) => s.rssBytes);
  const heapA = pick(from, from + window, (s) => s.heapUsedBytes);
  const heapB = pick(to - window, to, (s) => s.heapUsedBytes);
  const basePeak = Math.max(...first);
  const endPeak = Math.max(...last);
  return {
    basePeak,
    endPeak,
    growthPct: ((endPeak - basePeak) / basePeak) * 100,
    min: Math.min(...all),
    max: Math.max(...all),
    heapFloorStart: heapA.length ? Math.min(...heapA) : null,
    heapFloorEnd: heapB.length ? Math.min(...heapB) : null,
    windowSeconds: window,
  };
}
