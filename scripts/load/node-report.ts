/**
 * Per-node figures at the end of a run: memory at the start, at the baseline and at the end of play (and
 * its growth), peak sockets, handler errors by code, results applied, and error lines in the node's log.
 */
import { readFileSync } from "node:fs";
import type { NodeSample } from "./node-sampler.ts";
import { byLabel, sumOf, type PromSample } from "./prometheus-text.ts";
import type { NodeReport } from "./summary.ts";
import { memoryGrowth } from "./memory.ts";

/** Lines of a node log that report an error: pino level >= 50, or the entry point's crash/rejection lines. */
export function countErrorLines(log: string): number {
  let n = 0;
  for (const line of log.split("\n")) {
    if (line.startsWith("{")) {
      try {
        if ((JSON.parse(line) as { level?: number }).level! >= 50) n++;
      } catch {
        // a line cut short by kill -9
      }
    } else if (/unhandled rejection|uncaught exception|start-up failed|stop failed/i.test(line)) n++;
  }
  return n;
}

export interface NodeReportInput {
  nodeId: string;
  killed: boolean;
  samples: NodeSample[];
  last: PromSample[] | undefined;
  logFile?: string;
  /** Seconds since the sampler started over which memory growth is measured (see memory.ts). */
  rssWindow: [number, number];
}

const mb = (b: number | null) => (b === null ? null : b / 1_048_576);

export function nodeReport(i: NodeReportInput): NodeReport {
  const mine = i.samples.filter((s) => s.nodeId === i.nodeId);
  const first = mine.find((s) => s.rssBytes !== null);
  const m = memoryGrowth(i.samples, i.nodeId, ...i.rssWindow);
  const cpu = mine.filter((s) => s.cpuSeconds !== null);
  const cpuPct = cpu.length > 1 && cpu[cpu.length - 1]!.t > cpu[0]!.t ? ((cpu[cpu.length - 1]!.cpuSeconds! - cpu[0]!.cpuSeconds!) / (cpu[cpu.length - 1]!.t - cpu[0]!.t)) * 100 : null;
  const sockets = mine.map((s) => s.sockets).filter((v): v is number => v !== null);
  let errorLogLines = 0;
  if (i.logFile) {
    try {
      errorLogLines = countErrorLines(readFileSync(i.logFile, "utf8"));
    } catch {
      errorLogLines = 0;
    }
  }
  return {
    nodeId: i.nodeId,
    killed: i.killed,
    rssStartMb: mb(first?.rssBytes ?? null),
    rssBaseMb: mb(m?.basePeak ?? null),
    rssEndMb: mb(m?.endPeak ?? null),
    growthPct: m?.growthPct ?? null,
    rssRangeMb: m ? [mb(m.min)!, mb(m.max)!] : null,
    heapFloorMb: m ? [mb(m.heapFloorStart), mb(m.heapFloorEnd)] : null,
    cpuPct,
    peakSockets: sockets.length ? Math.max(...sockets) : null,
    internalErrors: i.last ? (byLabel(i.last, "arena_handler_errors_total", "code").INTERNAL ?? 0) : null,
    handlerErrors: i.last ? byLabel(i.last, "arena_handler_errors_total", "code") : {},
    errorLogLines,
    resultsApplied: i.last ? sumOf(i.last, "arena_results_applied_total") : null,
  };
}
