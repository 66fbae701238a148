/**
 * The measuring arithmetic of bench/capacity (no timing asserted): the tick-grid phase estimate and the
 * next grid instant that the excess-latency figure rests on, histograms merged across workers, and the
 * /proc readers that give a process's CPU and RSS.
 */
import { describe, expect, it } from "vitest";
import { encodeHistogram, gridPhase, mergeHistograms, newHistogram, nextGridInstant, pctMs, procCpuSeconds, procRssBytes, recordMs } from "../bench/capacity/stats.ts";

const T0 = 1_795_000_000_000; // a wall-clock instant (ms since epoch), as the bench uses
/** Deterministic lateness in [0, max): tick starts are grid instants plus this. */
const lateness = (k: number, max: number) => ((k * 7919) % 1000) / 1000 * max;

describe("gridPhase", () => {
  it("finds the phase of ticks that start a little late", () => {
    const starts = Array.from({ length: 200 }, (_, k) => T0 + 17.3 + k * 50 + lateness(k, 3));
    const phase = gridPhase(starts, 50)!;
    expect(phase).toBeGreaterThanOrEqual(17.3);
    expect(phase).toBeLessThan(17.4);
  });

  it("finds a phase whose late ticks wrap past the interval", () => {
    const starts = Array.from({ length: 200 }, (_, k) => T0 + 48.5 + k * 50 + lateness(k, 4));
    const phase = gridPhase(starts, 50)!;
    expect(phase).toBeGreaterThanOrEqual(48.5);
    expect(phase).toBeLessThan(48.6);
  });

  it("gives up when starts are spread over the whole interval (a stalled node)", () => {
    const starts = Array.from({ length: 200 }, (_, k) => T0 + k * 50 + lateness(k, 50));
    expect(gridPhase(starts, 50)).toBeNull();
    expect(gridPhase(starts.slice(0, 5), 50)).toBeNull();
  });
});

describe("nextGridInstant", () => {
  const phase = (T0 + 12.5) % 50;
  it("is the instant itself on the grid, else the next grid instant", () => {
    expect(nextGridInstant(T0 + 12.5, phase, 50)).toBeCloseTo(T0 + 12.5, 6);
    expect(nextGridInstant(T0 + 12.6, phase, 50)).toBeCloseTo(T0 + 62.5, 6);
    expect(nextGridInstant(T0 + 62.4, phase, 50)).toBeCloseTo(T0 + 62.5, 6);
  });
});

describe("histograms", () => {
  it("merge across workers exactly (counts add, percentiles of the union)", () => {
    const a = newHistogram();
    const b = newHistogram();
    for (let i = 1; i <= 99; i++) recordMs(a, i);
    recordMs(b, 1000);
    recordMs(b, -5); // clamped to 0
    const m = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
    expect(m.totalCount).toBe(101);
    expect(pctMs(m, 50)).toBeCloseTo(50, 0);
    expect(pctMs(m, 100)).toBeCloseTo(1000, 0);
    expect(pctMs(newHistogram(), 99)).toBeNaN();
  });
});

describe("/proc readers", () => {
  it("read this process's CPU time (growing with work) and RSS; NaN for a process that is gone", () => {
    const before = procCpuSeconds(process.pid);
    // Burn 100 ms of CPU by this process's own account (not wall time: the machine may be busy).
    const cpu0 = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(cpu0).user < 100_000) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
    expect(x).toBeGreaterThan(0);
    expect(procCpuSeconds(process.pid) - before).toBeGreaterThanOrEqual(0.08);
    expect(procRssBytes(process.pid)).toBeGreaterThan(10 * 1024 * 1024);
    expect(procCpuSeconds(2 ** 22 + 1)).toBeNaN();
  });
});
