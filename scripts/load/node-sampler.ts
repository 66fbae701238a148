/**
 * Samples every node during a run: resident memory (from /proc/<pid>/status when the node is local,
 * else the node's own `process_resident_memory_bytes`) and its /metrics (sockets, matches hosted, handler
 * errors, results applied, event-loop lag). Keeps every sample (written to samples.csv as it goes) and
 * each node's last scrape, which is all that is left of a node killed by the chaos switch.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { byLabel, parsePrometheus, sumOf, type PromSample } from "./prometheus-text.ts";

export interface SampledNode {
  nodeId: string;
  metricsUrl: string;
  pid?: number;
}

export interface NodeSample {
  /** Seconds since the sampler started. */
  t: number;
  nodeId: string;
  rssBytes: number | null;
  /** V8 heap in use (nodejs_heap_size_used_bytes). */
  heapUsedBytes: number | null;
  /** CPU time the process used so far (user + system). */
  cpuSeconds: number | null;
  sockets: number | null;
  matchesHosted: number | null;
  resultsApplied: number | null;
  internalErrors: number | null;
  eventLoopLagP99Ms: number | null;
}

export interface NodeSampler {
  samples: NodeSample[];
  /** The last successful scrape of each node. */
  last: Map<string, PromSample[]>;
  /** Samples all nodes once now (also the final reading). */
  sampleNow(): Promise<void>;
  stop(): void;
}

const COLUMNS = ["t", "nodeId", "rssBytes", "heapUsedBytes", "cpuSeconds", "sockets", "matchesHosted", "resultsApplied", "internalErrors", "eventLoopLagP99Ms"] as const;

function rssOfPid(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null; // gone, or no /proc (macOS): fall back to the metric
  }
}

/** CPU seconds (user + system) of a local process from /proc/<pid>/stat; null when gone or no /proc. */
export function cpuSecondsOfPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return null;
  }
}

async function scrape(url: string): Promise<PromSample[] | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: process.env.METRICS_TOKEN ? { authorization: `Bearer ${process.env.METRICS_TOKEN}` } : {} });
    return res.ok ? parsePrometheus(await res.text()) : null;
  } catch {
    return null;
  }
}

export function startNodeSampler(nodes: SampledNode[], intervalMs: number, csvFile: string): NodeSampler {
  const t0 = Date.now();
  const samples: NodeSample[] = [];
  const last = new Map<string, PromSample[]>();
  writeFileSync(csvFile, `${COLUMNS.join(",")}\n`);

  async function sampleNow(): Promise<void> {
    const t = Math.round((Date.now() - t0) / 1000);
    await Promise.all(
      nodes.map(async (n) => {
        const m = await scrape(n.metricsUrl);
        const procRss = n.pid ? rssOfPid(n.pid) : null;
        if (!m && procRss === null) return; // unreachable (dead): no sample
        if (m) last.set(n.nodeId, m);
        const val = (name: string, where: Record<string, string> = {}) => (m ? sumOf(m, name, where) : null);
        const s: NodeSample = {
          t,
          nodeId: n.nodeId,
          rssBytes: procRss ?? val("process_resident_memory_bytes"),
          heapUsedBytes: val("nodejs_heap_size_used_bytes"),
          cpuSeconds: (n.pid ? cpuSecondsOfPid(n.pid) : null) ?? val("process_cpu_seconds_total"),
          sockets: val("arena_sockets_connected"),
          matchesHosted: val("arena_matches_hosted"),
          resultsApplied: val("arena_results_applied_total"),
          internalErrors: m ? (byLabel(m, "arena_handler_errors_total", "code").INTERNAL ?? 0) : null,
          eventLoopLagP99Ms: m ? Math.round(sumOf(m, "nodejs_eventloop_lag_p99_seconds") * 1e4) / 10 : null,
        };
        samples.push(s);
        appendFileSync(csvFile, `${COLUMNS.map((c) => s[c] ?? "").join(",")}\n`);
      }),
    );
  }

  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void sampleNow().finally(() => (busy = false));
  }, intervalMs);
  void sampleNow();
  return { samples, last, sampleNow, stop: () => clearInterval(timer) };
}
