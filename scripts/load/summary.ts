/**
 * The end of a load run, as a table people can read at a glance and a list of gates with pass/fail:
 * Artillery's `ensure` checks (latency percentiles, error counts) plus the runner's own (memory growth,
 * handler errors, error log lines, results produced = applied). Pure functions: facts in, text out.
 */
import type { ArtilleryResult } from "./artillery-run.ts";
import type { NodeSample } from "./node-sampler.ts";
import type { ResultsAudit } from "./results-audit.ts";

export interface Gate {
  name: string;
  ok: boolean;
  detail: string;
}

export interface NodeReport {
  nodeId: string;
  killed: boolean;
  rssStartMb: number | null;
  /** Peak RSS of the first and the last window of play (see memory.ts). */
  rssBaseMb: number | null;
  rssEndMb: number | null;
  growthPct: number | null;
  /** Lowest and highest RSS sampled from the first window to the end of play. */
  rssRangeMb: [number, number] | null;
  /** Lowest heap used in the first and the last window. */
  heapFloorMb: [number | null, number | null] | null;
  peakSockets: number | null;
  /** Mean CPU use over the run, % of one core. */
  cpuPct: number | null;
  internalErrors: number | null;
  handlerErrors: Record<string, number>;
  errorLogLines: number;
  resultsApplied: number | null;
}

export interface RunFacts {
  title: string;
  machine: string;
  artillery: ArtilleryResult;
  nodes: NodeReport[] | null;
  /** Most sockets connected at once, summed over the nodes at each sampling. */
  peakSockets: number | null;
  audit: ResultsAudit | null;
  /** Sum of arena_results_applied_total over the nodes (null when unknown or a node was killed). */
  appliedByMetrics: number | null;
  /** Mean CPU use of the load generator (Artillery) over the run, % of one core. */
  generatorCpuPct: number | null;
  /** A node was killed during the run (the chaos switch). */
  chaos: boolean;
  /** What the bots printed about surprises (lines starting "[load] " in Artillery's output). */
  notes: string[];
  /** Why the memory gate does not apply (null: it applies). */
  rssSkipped: string | null;
  rssLimitPct: number;
}

/** Most sockets connected at once over all nodes (samples taken together share their `t`). */
export function peakTotal(samples: NodeSample[]): number | null {
  const at = new Map<number, number>();
  for (const s of samples) if (s.sockets !== null) at.set(s.t, (at.get(s.t) ?? 0) + s.sockets);
  return at.size ? Math.max(...at.values()) : null;
}

/** The latencies the table shows: label, Artillery metric. */
export const LATENCIES: [string, string][] = [
  ["HTTP (login, logout, boards pages)", "http.response_time"],
  ["ack queue:join", "arena.ack.queue_join"],
  ["ack queue:leave", "arena.ack.queue_leave"],
  ["ack net:ping", "arena.ack.ping"],
  ["ack boards:subscribe", "arena.ack.boards_subscribe"],
  ["ack boards:unsubscribe", "arena.ack.boards_unsubscribe"],
  ["input -> snapshot (input_rtt)", "arena.input_rtt"],
  ["socket connect", "arena.connect"],
  ["HTTP GET /api/players (end screen)", "arena.http.player"],
  ["match:end -> profile counts it", "arena.result_visible"],
  ["queue wait (matchmaking)", "arena.queue_wait"],
];

const fmtMs = (v: number | undefined) => (v === undefined ? "-" : v >= 100 ? String(Math.round(v)) : v.toFixed(1));
const fmtMb = (v: number | null) => (v === null ? "-" : v.toFixed(0));

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

/** Every gate of the run: Artillery's checks, then the runner's. */
export function gatesOf(f: RunFacts): Gate[] {
  const gates: Gate[] = f.artillery.checks.map((c) => ({ name: c.text, ok: c.ok, detail: "artillery ensure" }));
  if (!f.artillery.checks.length) gates.push({ name: "artillery ensure checks ran", ok: false, detail: `no checks in Artillery's output (exit ${f.artillery.code})` });
  if (f.artillery.code !== 0 && f.artillery.checks.every((c) => c.ok)) gates.push({ name: "artillery exit code 0", ok: false, detail: `exit ${f.artillery.code}` });
  // A ticket is lost legitimately only with the node that kept it alive; otherwise the server dropped it.
  const cancelled = f.artillery.report?.counters["arena.queue_cancelled"] ?? 0;
  if (!f.chaos) gates.push({ name: "no ticket cancelled by the server (no node was killed)", ok: cancelled === 0, detail: `${cancelled} queue:cancelled` });
  for (const n of f.nodes ?? []) {
    if (n.internalErrors !== null) gates.push({ name: `${n.nodeId}: handler errors INTERNAL == 0`, ok: n.internalErrors === 0, detail: String(n.internalErrors) });
    gates.push({ name: `${n.nodeId}: error-level log lines == 0`, ok: n.errorLogLines === 0, detail: String(n.errorLogLines) });
    if (!f.rssSkipped && !n.killed) {
      const ok = n.growthPct !== null && n.growthPct <= f.rssLimitPct;
      gates.push({ name: `${n.nodeId}: RSS growth <= ${f.rssLimitPct} %`, ok, detail: n.growthPct === null ? "too few samples" : `peak ${fmtMb(n.rssBaseMb)} -> ${fmtMb(n.rssEndMb)} MB (${n.growthPct >= 0 ? "+" : ""}${n.growthPct.toFixed(1)} %)` });
    }
  }
  if (f.audit) {
    const a = f.audit;
    gates.push({ name: "results settled (no active match, nothing pending)", ok: a.settled, detail: `active ${a.activeMatches}, pending ${a.pending}, lag ${a.lag ?? "?"}` });
    gates.push({ name: "results produced == applied (Redis)", ok: a.produced === a.applied && a.produced > 0, detail: `${a.produced} produced, ${a.applied} applied${a.missing.length ? `; missing ${a.missing.join(" ")}` : ""}` });
    gates.push({ name: "no dead-lettered results", ok: a.dead === 0, detail: String(a.dead) });
    if (f.appliedByMetrics !== null) gates.push({ name: "results produced == applied (metrics)", ok: f.appliedByMetrics === a.produced, detail: `${a.produced} produced, ${f.appliedByMetrics} counted by arena_results_applied_total` });
  }
  return gates;
}

/** The summary as plain text (console) and whether every gate passed. */
export function renderSummary(f: RunFacts): { text: string; pass: boolean; gates: Gate[] } {
  const r = f.artillery.report;
  const c = r?.counters ?? {};
  const out: string[] = [f.title, f.machine, ""];
  const created = (name: string) => c[`vusers.created_by_name.${name}`] ?? 0;
  out.push(
    `players ${created("player")} (sessions ${c["http.codes.201"] ?? 0}), readers ${created("reader")}, player-matches played ${c["arena.matches_played"] ?? 0}` +
      (f.audit ? `, matches ended ${f.audit.produced}` : "") +
      (f.peakSockets !== null ? `, peak sockets ${f.peakSockets}` : ""),
    "",
  );
  const rows = LATENCIES.filter(([, m]) => r?.summaries[m]).map(([label, m]) => {
    const s = r!.summaries[m]!;
    return [label, String(s.count), fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)];
  });
  out.push(table(["latency (ms)", "count", "p50", "p95", "p99", "max"], rows), "");
  const errors = Object.entries(c).filter(([k, v]) => (k.startsWith("arena.errors.") || k.startsWith("errors.")) && v > 0);
  out.push(`errors ${c["arena.errors"] ?? 0}${errors.length ? ` (${errors.map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}; vusers failed ${c["vusers.failed"] ?? 0}`);
  const info = ["arena.disconnects", "arena.reconnects", "arena.requests_resent", "arena.match_resumed", "arena.queue_cancelled", "arena.queue_gave_up", "arena.queue_abandoned", "arena.queue_retry_in_match"].filter((k) => c[k]);
  const snaps = c["arena.snapshots"] ?? 0;
  const skipped = c["arena.snapshots_skipped"] ?? 0;
  out.push(`snapshots ${snaps} received, ${skipped} skipped by the host (${snaps ? ((skipped / (snaps + skipped)) * 100).toFixed(2) : "0"} %)${info.length ? `; ${info.map((k) => `${k.slice(6)} ${c[k]}`).join(", ")}` : ""}`, "");
  if (f.nodes) {
    const nodeRows = f.nodes.map((n) => [
      n.nodeId + (n.killed ? " (killed)" : ""),
      fmtMb(n.rssStartMb),
      fmtMb(n.rssBaseMb),
      fmtMb(n.rssEndMb),
      n.growthPct === null ? "-" : `${n.growthPct >= 0 ? "+" : ""}${n.growthPct.toFixed(1)} %`,
      n.rssRangeMb ? `${fmtMb(n.rssRangeMb[0])}-${fmtMb(n.rssRangeMb[1])}` : "-",
      n.heapFloorMb ? `${fmtMb(n.heapFloorMb[0])} -> ${fmtMb(n.heapFloorMb[1])}` : "-",
      n.cpuPct === null ? "-" : `${n.cpuPct.toFixed(0)} %`,
      String(n.peakSockets ?? "-"),
      String(n.resultsApplied ?? "-"),
      Object.entries(n.handlerErrors).map(([k, v]) => `${k}:${v}`).join(" ") || "0",
      String(n.errorLogLines),
    ]);
    out.push(table(["node", "RSS start MB", "peak first", "peak last", "growth", "range MB", "heap floor MB", "CPU (1 core)", "peak sockets", "results applied", "handler errors", "error logs"], nodeRows));
    if (f.generatorCpuPct !== null) out.push(`load generator (Artillery) CPU: ${f.generatorCpuPct.toFixed(0)} % of one core`);
    if (f.rssSkipped) out.push(`(memory gate not applied: ${f.rssSkipped})`);
    out.push("");
  }
  if (f.audit) {
    const a = f.audit;
    out.push(`results: ${a.produced} produced (${a.entries} stream entries), ${a.applied} applied (boards' markers)${f.appliedByMetrics !== null ? `, ${f.appliedByMetrics} counted by the nodes` : ""}; pending ${a.pending}, dead-lettered ${a.dead}`, "");
  }
  if (f.notes.length) {
    out.push(`bot notes (${f.notes.length}${f.notes.length > 10 ? ", first 10" : ""}; all in artillery.log):`);
    for (const n of f.notes.slice(0, 10)) out.push(`  ${n}`);
    out.push("");
  }
  const gates = gatesOf(f);
  out.push("gates:");
  for (const g of gates) out.push(`  ${g.ok ? "PASS" : "FAIL"}  ${g.name}${g.detail ? `  [${g.detail}]` : ""}`);
  const pass = gates.every((g) => g.ok);
  out.push("", `RESULT: ${pass ? "PASS" : "FAIL"}`);
  return { text: out.join("\n"), pass, gates };
}
