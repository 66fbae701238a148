/**
 * Capacity benchmark (issue 13): how many players one arena node carries at 20 Hz, and at what CPU per
 * player, next to two baselines measured in the same run with the same bot swarm:
 *  - arena: the real node (bench/capacity/arena-node.ts: startNode + a measuring probe) over a throwaway
 *    redis-server, default settings except bench needs (generous RATE_LIMITS, matches of exactly 8 that
 *    last the whole step);
 *  - relay: a bare socket.io server running the same game and broadcasting the same snapshots;
 *  - colyseus: a minimal Colyseus 0.16 room running the same game with Schema delta patches.
 * Bots (bench/capacity/bots.ts, several worker processes) log in, connect, queue, play (an input every
 * 100 ms), re-queue when a match ends. Per step and target, with fresh processes: N bots join at
 * --join-rate, once all play the bench settles and measures for --window seconds: node CPU (from
 * /proc/<pid>/stat), event-loop delay and utilisation (inside the server), input->snapshot latency and
 * its excess over the tick wait (method: bench/capacity/bot-core.ts), lost snapshots, RSS per player,
 * bots' CPU, join times. Steps are interleaved (arena, relay, colyseus at 200, then at 504, ...) so the
 * ratios see the same background load. Ends with the goal check and a `BENCH_JSON {...}` line
 * (format: bench/capacity/report.ts benchJson).
 *
 * Usage: npm run bench:capacity -- [options]   (the npm script raises `ulimit -n` first; each player is
 * two sockets on this machine: budget >= 2 x players + 200 open files, see bench/README.md)
 *   --steps 200,500,1000,2000   player counts (rounded up to whole matches of 8)      env BENCH_STEPS
 *   --targets arena,relay,colyseus                                                     env BENCH_TARGETS
 *   --window 30     measurement window (s)          --settle 3     wait after all play (s)
 *   --join-rate 100 bots started per second         --workers 4    bot worker processes
 *   --match-seconds 0  match length (0: the whole step; short values add re-queue churn to the window)
 *   --ready-timeout 240  longest wait for all bots to play (s)
 *   --source-ips 64  loopback source addresses for socket.io bots (127.0.0.1..N, or a comma list); 2,000
 *                   players from 64 addresses stay within the per-address connection and handshake caps
 *   --profile 1000  CPU profile of each target's server during the window of that step (top entries printed);
 *                   with --storm, any value profiles the arena node from the mass reconnect until all are back
 *   --storm 2000    reconnect storm instead of steps: N players drop and reconnect at once
 *   --storm-gap 1000  ms between the mass drop and the mass reconnect
 *   --log-level info  arena LOG_LEVEL (the node's log goes to the run folder)
 *   --node-flags "--max-semi-space-size=32"  Node/V8 flags for every target's server process   env BENCH_NODE_FLAGS
 */
import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { measureStep, measureStorm, type MeasureOptions, type Row, type StormRow } from "./capacity/measure.ts";
import { benchJson, header, LEGEND, line, ratios, stormLine, verdicts } from "./capacity/report.ts";
import { summarize } from "./capacity/profile.ts";
import { openFilesLimit } from "./capacity/stats.ts";
import type { TargetKind } from "./capacity/bots.ts";

const env = process.env;
const { values: a } = parseArgs({
  options: {
    steps: { type: "string", default: env.BENCH_STEPS ?? "200,500,1000,2000" },
    targets: { type: "string", default: env.BENCH_TARGETS ?? "arena,relay,colyseus" },
    window: { type: "string", default: env.BENCH_WINDOW_SECONDS ?? "30" },
    settle: { type: "string", default: "3" },
    "join-rate": { type: "string", default: "100" },
    workers: { type: "string", default: "4" },
    "match-seconds": { type: "string", default: "0" },
    "ready-timeout": { type: "string", default: "240" },
    "source-ips": { type: "string", default: "64" },
    profile: { type: "string" },
    storm: { type: "string" },
    "storm-gap": { type: "string", default: "1000" },
    "log-level": { type: "string", default: "info" },
    "node-flags": { type: "string", default: env.BENCH_NODE_FLAGS ?? "" },
  },
  strict: true,
});

const num = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number >= ${min}, got "${v}"`);
    process.exit(2);
  }
  return n;
};
const roundUp8 = (n: number) => Math.ceil(n / 8) * 8;
const steps = a.steps!.split(",").map((s) => roundUp8(num("steps", s, 8)));
const targets = a.targets!.split(",").map((t) => t.trim()) as TargetKind[];
for (const t of targets) if (!["arena", "relay", "colyseus"].includes(t)) (console.error(`unknown target "${t}"`), process.exit(2));
const ips = /^\d+$/.test(a["source-ips"]!) ? Array.from({ length: num("source-ips", a["source-ips"], 1) }, (_, i) => `127.0.0.${i + 1}`) : a["source-ips"]!.split(",");
const windowMs = num("window", a.window, 1) * 1000;
const settleMs = num("settle", a.settle, 0) * 1000;
const joinRate = num("join-rate", a["join-rate"], 1);
const readyTimeoutMs = num("ready-timeout", a["ready-timeout"], 10) * 1000;
const storm = a.storm ? roundUp8(num("storm", a.storm, 8)) : 0;
const largest = storm || Math.max(...steps);
// A match must outlast the step: the slowest ramp, the settle and the window (plus a margin).
const matchSeconds = num("match-seconds", a["match-seconds"], 0) || Math.ceil(readyTimeoutMs / 1000 + (settleMs + windowMs) / 1000 + 60);

const runId = randomBytes(3).toString("hex");
const outDir = join(tmpdir(), `arena-capacity-${runId}`);
mkdirSync(outDir, { recursive: true });
const limit = openFilesLimit();
if (limit < 2 * largest + 200) {
  console.error(`open files limit ${limit} is too low for ${largest} players (needs >= ${2 * largest + 200}): run through \`npm run bench:capacity\` or \`ulimit -n 65536\` first`);
  process.exit(2);
}

const opts: MeasureOptions = {
  tickHz: 20,
  countdownMs: 3000,
  durationMs: matchSeconds * 1000,
  arenaEnv: {
    // Thousands of logins and queue joins from a few loopback addresses in a minute: the default budgets
    // (60 logins per minute per IP, 20 queue joins per minute per player) are for people, not a swarm.
    RATE_LIMITS: "login=1000000/60s,queue_join=1000000/60s,queue_leave=1000000/60s",
    // One node measured alone: overload protection would send players to other nodes, and there are none.
    OVERLOAD_LOOP_P99_MS: "0",
    OVERLOAD_CPU_PERCENT: "0",
    LOG_LEVEL: a["log-level"]!,
  },
  outDir,
  workers: num("workers", a.workers, 1),
  joinRatePerSecond: joinRate,
  readyTimeoutMs,
  settleMs,
  windowMs,
  sourceIps: ips,
  nodeFlags: a["node-flags"]!.split(/\s+/).filter(Boolean),
  runId,
  log: (l) => console.log(l),
};

console.log(`capacity bench: targets ${targets.join(", ")}; ${storm ? `storm of ${storm}` : `steps ${steps.join(", ")}`}; window ${windowMs / 1000} s; ` +
  `${opts.workers} bot workers; join rate ${joinRate}/s; matches of 8 lasting ${matchSeconds} s; source IPs ${ips.length > 4 ? `${ips[0]}..${ips.at(-1)} (${ips.length})` : ips.join(",")}; output ${outDir}`);

const rows: Row[] = [];
const storms: StormRow[] = [];
if (storm) {
  console.log(`\nreconnect storm: ${storm} players in matches drop at once, reconnect ${a["storm-gap"]} ms later, all at once`);
  for (const t of targets) {
    const s = await measureStorm(t, storm, { ...opts, gapMs: num("storm-gap", a["storm-gap"], 0), profile: a.profile && t === "arena" ? `arena-storm-${storm}.cpuprofile` : undefined });
    storms.push(s);
    console.log(stormLine(s));
    if (s.profile) for (const l of summarize(s.profile)) console.log(`  ${l}`);
  }
} else {
  console.log(`\n${LEGEND}\n`);
  const profileAt = a.profile ? roundUp8(num("profile", a.profile, 8)) : 0;
  for (const n of steps) {
    console.log(header());
    for (const t of targets) {
      try {
        const row = await measureStep(t, n, { ...opts, profile: n === profileAt ? `${t}-${n}.cpuprofile` : undefined });
        rows.push(row);
        console.log(line(row));
        const errs = Object.entries(row.errors);
        if (errs.length || row.unacked || row.negativeExcess)
          console.log(`  ${t}: ${errs.map(([k, v]) => `${k} x${v}`).join(", ") || "no errors"}; ${row.unacked} inputs never acked of ${row.inputs}; ${row.negativeExcess} excess samples < 0 (clamped)`);
        if (row.profile) for (const l of summarize(row.profile)) console.log(`  ${l}`);
      } catch (err) {
        console.log(`  ${t} ${n}: failed: ${(err as Error).message}`);
      }
    }
    for (const l of ratios(rows, n)) console.log(l);
    console.log("");
  }
  const v = verdicts(rows);
  for (const x of v) console.log(`goal at ${x.players}: ${x.ok ? "holds" : "fails"}${x.reasons.length ? ` (${x.reasons.join("; ")})` : ""}`);
  const ok = v.filter((x) => x.ok).map((x) => x.players);
  console.log(`largest player count that holds the goal: ${ok.length ? Math.max(...ok) : "none measured"}`);
}
console.log(benchJson(rows, storms, verdicts(rows)));
process.exit(0);
