/**
 * Printing of the capacity benchmark: a table per step (every target measured at that player count),
 * ratios arena/relay and arena/colyseus, the goal check, and the machine-readable summary line.
 *
 * The goal (issue 13) at a player count N holds when the arena node, at N: uses <= 1 core; loses no
 * snapshot; has excess p99 and event-loop p99 within 1.25x of the bare relay's at N; and spends no more
 * CPU per player-second than the Colyseus room at N. A criterion whose baseline was not measured at N is
 * left out (and said so).
 */
import type { Row, StormRow } from "./measure.ts";

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : "-");
const pad = (s: string, n: number) => s.padStart(n);

const COLUMNS: [string, number, (r: Row) => string][] = [
  ["target", 9, (r) => r.target],
  ["players", 7, (r) => (r.playing === r.players ? String(r.players) : `${r.playing}/${r.players}`)],
  ["cores", 5, (r) => f(r.cores, 2)],
  ["ms/pl-s", 7, (r) => f(r.cpuMsPerPlayerSecond, 2)],
  ["us/snap", 7, (r) => f(r.cpuUsPerSnapshot, 1)],
  ["redis", 5, (r) => (r.target === "arena" ? f(r.redisCores, 2) : "-")],
  ["loop p99", 8, (r) => f(r.eldP99, 1)],
  ["ELU", 4, (r) => f(r.elu * 100) + "%"],
  ["lat p50/p99", 11, (r) => `${f(r.latency.p50)}/${f(r.latency.p99)}`],
  ["exc p50/p99", 11, (r) => (r.phaseKnown ? `${f(r.excess.p50)}/${f(r.excess.p99)}` : "n/a")],
  ["lost %", 6, (r) => f(r.lostPercent, 2)],
  ["KiB/pl", 6, (r) => f(r.rssPerPlayerKiB, 1)],
  ["bots", 5, (r) => f(r.botCores, 2)],
  ["bot p99", 7, (r) => f(r.botLoopP99, 0)],
  ["join p50/p99", 12, (r) => `${f(r.join.p50)}/${f(r.join.p99)}`],
  ["B/snap", 6, (r) => f(r.bytesPerSnapshot)],
  ["load", 4, (r) => f(r.load1, 1)],
];

export function header(): string {
  return COLUMNS.map(([h, w]) => pad(h, w)).join(" ");
}

export function line(r: Row): string {
  return COLUMNS.map(([, w, get]) => pad(get(r), w)).join(" ");
}

export const LEGEND =
  "cores: server CPU (user+sys) / wall time over the window; ms/pl-s: CPU ms per player-second; us/snap: CPU us per snapshot\n" +
  "a client received (fair when a starved server delivers less); redis: redis-server cores (arena only);\n" +
  "loop p99: event-loop delay p99 (ms, monitorEventLoopDelay 1 ms resolution); ELU: event-loop utilisation; lat: input->snapshot (ms);\n" +
  "exc: latency minus the wait for the next tick of the server's 20 Hz grid (ms); lost: gaps in snapshot numbers; KiB/pl: server RSS\n" +
  "growth per player; bots: bot workers' cores; bot p99: their own event-loop p99 (ms); join: login/handshake/queue -> match:start (ms);\n" +
  "B/snap: bytes a client receives per snapshot (socket.io text frame / Colyseus patch); load: 1-min load average at the window's end.";

export interface Verdict {
  players: number;
  ok: boolean;
  reasons: string[];
}

/** Checks the goal at each player count where the arena was measured. */
export function verdicts(rows: Row[]): Verdict[] {
  const out: Verdict[] = [];
  for (const a of rows.filter((r) => r.target === "arena")) {
    const relay = rows.find((r) => r.target === "relay" && r.players === a.players);
    const coly = rows.find((r) => r.target === "colyseus" && r.players === a.players);
    const reasons: string[] = [];
    if (a.playing < a.players) reasons.push(`only ${a.playing} playing`);
    if (!(a.cores <= 1)) reasons.push(`cores ${f(a.cores, 2)} > 1`);
    if (!(a.lostPercent === 0)) reasons.push(`lost ${f(a.lostPercent, 2)}%`);
    if (!a.phaseKnown) reasons.push("excess unknown (tick grid not estimated)");
    if (relay) {
      if (!(a.excess.p99 <= 1.25 * relay.excess.p99)) reasons.push(`excess p99 ${f(a.excess.p99)} > 1.25 x relay ${f(relay.excess.p99)}`);
      if (!(a.eldP99 <= 1.25 * relay.eldP99)) reasons.push(`loop p99 ${f(a.eldP99, 1)} > 1.25 x relay ${f(relay.eldP99, 1)}`);
    } else reasons.push("(relay not measured: its criteria skipped)");
    if (coly) {
      if (!(a.cpuMsPerPlayerSecond <= coly.cpuMsPerPlayerSecond)) reasons.push(`CPU/player ${f(a.cpuMsPerPlayerSecond, 2)} > colyseus ${f(coly.cpuMsPerPlayerSecond, 2)}`);
    } else reasons.push("(colyseus not measured: its criterion skipped)");
    out.push({ players: a.players, ok: reasons.every((r) => r.startsWith("(")), reasons });
  }
  return out;
}

/** Ratio lines arena/baseline at one player count. */
export function ratios(rows: Row[], players: number): string[] {
  const a = rows.find((r) => r.target === "arena" && r.players === players);
  if (!a) return [];
  const lines: string[] = [];
  for (const kind of ["relay", "colyseus"] as const) {
    const b = rows.find((r) => r.target === kind && r.players === players);
    if (!b) continue;
    lines.push(
      `  arena/${kind}: CPU ${f(a.cores / b.cores, 2)}x, excess p99 ${f(a.excess.p99 / b.excess.p99, 2)}x, loop p99 ${f(a.eldP99 / b.eldP99, 2)}x, ` +
        `bytes/snapshot ${f(a.bytesPerSnapshot / b.bytesPerSnapshot, 1)}x, RSS/player ${f(a.rssPerPlayerKiB / b.rssPerPlayerKiB, 1)}x, join p50 ${f(a.join.p50 / b.join.p50, 1)}x`,
    );
  }
  return lines;
}

export function stormLine(s: StormRow): string {
  const errs = Object.entries(s.errors).map(([k, v]) => `${k} x${v}`).join(", ");
  return (
    `  ${s.target}: ${s.back}/${s.inMatch} back (of ${s.players} players, ${s.inMatch} in a match at the drop) in ${Number.isFinite(s.allBackSeconds) ? f(s.allBackSeconds, 1) + " s" : `(not all; ${s.connectedNotBack} connected without a match, including any not in one at the drop)`}; ` +
    `match:start p50/p99/max ${f(s.rejoin.p50)}/${f(s.rejoin.p99)}/${f(s.rejoin.max)} ms; first snapshot p50/p99/max ${f(s.reflow.p50)}/${f(s.reflow.p99)}/${f(s.reflow.max)} ms; ` +
    `node ${f(s.cores, 2)} cores meanwhile; SYNs dropped by a full listen queue ${Number.isFinite(s.listenDrops) ? s.listenDrops : "?"}; load ${f(s.load1, 1)}${errs ? `; errors: ${errs}` : ""}`
  );
}

/**
 * The summary line for bench/run-all.ts: `BENCH_JSON {...}` on one line, last line of the output:
 * { bench: "capacity", goal: { largestPlayers: number|null, checked: [{players, ok, reasons}] },
 *   rows: [{ target, players, playing, cores, cpuMsPerPlayerSecond, cpuUsPerSnapshot, redisCores, eldP99, excessP50, excessP99,
 *            latencyP50, latencyP99, lostPercent, rssPerPlayerKiB, botCores, joinP50, joinP99,
 *            bytesPerSnapshot, load1 }],
 *   storm: [{ target, players, inMatch, back, connectedNotBack, listenDrops, allBackSeconds, rejoinP50, rejoinP99, reflowP99 }] }
 * All times in ms except allBackSeconds; NaN becomes null.
 */
export function benchJson(rows: Row[], storms: StormRow[], v: Verdict[]): string {
  const ok = v.filter((x) => x.ok).map((x) => x.players);
  const body = {
    bench: "capacity",
    goal: { largestPlayers: ok.length ? Math.max(...ok) : null, checked: v },
    rows: rows.map((r) => ({
      target: r.target,
      players: r.players,
      playing: r.playing,
      cores: r.cores,
      cpuMsPerPlayerSecond: r.cpuMsPerPlayerSecond,
      cpuUsPerSnapshot: r.cpuUsPerSnapshot,
      redisCores: r.redisCores,
      eldP99: r.eldP99,
      excessP50: r.excess.p50,
      excessP99: r.excess.p99,
      latencyP50: r.latency.p50,
      latencyP99: r.latency.p99,
      lostPercent: r.lostPercent,
      rssPerPlayerKiB: r.rssPerPlayerKiB,
      botCores: r.botCores,
      joinP50: r.join.p50,
      joinP99: r.join.p99,
      bytesPerSnapshot: r.bytesPerSnapshot,
      load1: r.load1,
    })),
    storm: storms.map((s) => ({ target: s.target, players: s.players, inMatch: s.inMatch, back: s.back, connectedNotBack: s.connectedNotBack, listenDrops: s.listenDrops, allBackSeconds: s.allBackSeconds, rejoinP50: s.rejoin.p50, rejoinP99: s.rejoin.p99, reflowP99: s.reflow.p99 })),
  };
  return `BENCH_JSON ${JSON.stringify(body, (_k, val: unknown) => (typeof val === "number" && !Number.isFinite(val) ? null : val))}`;
}
