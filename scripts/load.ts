/**
 * `npm run load:smoke | load:soak | load:spike [-- options]`: installs load-tests/ if needed, starts an
 * embedded Redis and a 3-node cluster (unless --target / TARGET points at one), runs the Artillery profile,
 * samples every node (RSS, /metrics), audits the results in Redis, stops what it started (also on Ctrl-C
 * or failure), prints a summary table with every gate and exits non-zero when one fails.
 * Options (or env): --target URL (TARGET), --duration 30m (LOAD_DURATION), --players N (LOAD_PLAYERS),
 * --nodes N (LOAD_NODES), --chaos (CHAOS=1), --record (LOAD_RECORD=1), --verbose (LOAD_VERBOSE=1).
 * With --target: TARGET_METRICS=url,... (each node's /metrics) and TARGET_REDIS_URL (+ TARGET_KEY_PREFIX)
 * enable the node and results gates. See load-tests/README.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleProcessor, ensureInstalled, LOAD_DIR, runArtillery, type ArtilleryRun } from "./load/artillery-run.ts";
import { startLocalCluster, type LocalCluster } from "./load/local-cluster.ts";
import { cpuSecondsOfPid, startNodeSampler, type NodeSampler, type SampledNode } from "./load/node-sampler.ts";
import { nodeReport } from "./load/node-report.ts";
import { auditResults, type ResultsAudit } from "./load/results-audit.ts";
import { peakTotal, renderSummary, type RunFacts } from "./load/summary.ts";
import { PROFILES, parseDuration, type ProfileName } from "./load/profiles.ts";
import { writeSection } from "./doc-section.ts";

const log = (m: string) => console.log(`[load] ${m}`);
// A closed stdout (piped into `head`) must not kill the run before it stops what it started.
process.stdout.on("error", () => {});
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: "string" },
    duration: { type: "string" },
    players: { type: "string" },
    nodes: { type: "string" },
    chaos: { type: "boolean" },
    record: { type: "boolean" },
    verbose: { type: "boolean" },
  },
});
const env = process.env;
const flag = (v: boolean | undefined, e: string | undefined) => v ?? /^(1|true|yes)$/i.test(e ?? "");
const profileName = positionals[0] as ProfileName;
if (!PROFILES[profileName]) {
  console.error(`usage: tsx scripts/load.ts <${Object.keys(PROFILES).join("|")}> [--target URL] [--duration 30m] [--players N] [--nodes N] [--chaos] [--record]`);
  process.exit(2);
}
const profile = PROFILES[profileName];
const target = values.target ?? env.TARGET;
const chaos = flag(values.chaos, env.CHAOS);
const record = flag(values.record, env.LOAD_RECORD);
const verbose = flag(values.verbose, env.LOAD_VERBOSE);
const nodeCount = Number(values.nodes ?? env.LOAD_NODES ?? 3);
const durationRaw = values.duration ?? env.LOAD_DURATION;
let playSeconds = profile.playSeconds;
try {
  if (durationRaw) playSeconds = parseDuration(durationRaw);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const playersRaw = values.players ?? env.LOAD_PLAYERS;
if (!Number.isInteger(nodeCount) || nodeCount < 1 || (playersRaw && !/^\d+$/.test(playersRaw))) {
  console.error("--nodes and --players take positive integers");
  process.exit(2);
}
if (chaos && target) {
  console.error("--chaos kills a node this runner started; it cannot be combined with --target");
  process.exit(2);
}
if (chaos && nodeCount < 2) {
  console.error("--chaos needs at least 2 nodes");
  process.exit(2);
}

const stamp = new Date().toISOString().replace(/[:T]/g, "-").slice(0, 19);
const dir = join(LOAD_DIR, "results", `${profileName}-${stamp}`);
mkdirSync(dir, { recursive: true });

let cluster: LocalCluster | null = null;
let art: ArtilleryRun | null = null;
let sampler: NodeSampler | null = null;
let stopping = false;

let cleaning: Promise<void> | null = null;
/** Stops everything this run started; every call waits for the same clean-up. */
function cleanUp(): Promise<void> {
  cleaning ??= stopAll();
  return cleaning;
}

async function stopAll(): Promise<void> {
  sampler?.stop();
  if (art && art.child.exitCode === null) {
    try {
      process.kill(-art.child.pid!, "SIGINT");
    } catch {
      // already gone
    }
    await Promise.race([art.done, new Promise((r) => setTimeout(r, 20_000))]);
  }
  await cluster?.stop();
  cluster = null;
}
process.on("exit", () => {
  cluster?.killAll();
  if (art && art.child.exitCode === null) {
    try {
      process.kill(-art.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping everything this run started...`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const load0 = loadavg();
  ensureInstalled(log);
  let url = target;
  let sampled: SampledNode[] = [];
  let redisUrl = env.TARGET_REDIS_URL;
  let keyPrefix = env.TARGET_KEY_PREFIX ?? "arena:";
  if (!url) {
    const clusterEnv: Record<string, string> = { LOG_LEVEL: "info", ...profile.clusterEnv };
    for (const k of Object.keys(clusterEnv)) if (env[k] !== undefined) clusterEnv[k] = env[k]!; // the caller's env wins
    log(`starting embedded Redis and ${nodeCount} nodes (${Object.entries(profile.clusterEnv).map(([k, v]) => `${k}=${v}`).join(" ") || "default settings"})...`);
    cluster = await startLocalCluster({ nodes: nodeCount, env: clusterEnv, logDir: dir, log });
    url = cluster.url;
    sampled = cluster.nodes.map((n) => ({ nodeId: n.nodeId, metricsUrl: `${n.url}/metrics`, pid: n.pid }));
    redisUrl = cluster.redisUrl;
    keyPrefix = env.KEY_PREFIX ?? "arena:";
  } else if (env.TARGET_METRICS) {
    sampled = env.TARGET_METRICS.split(",").map((u, i) => ({ nodeId: `target-${i + 1}`, metricsUrl: u.trim() }));
  }
  const processor = join(dir, "processor.cjs");
  await bundleProcessor(processor);
  const startedAt = Date.now();
  sampler = sampled.length ? startNodeSampler(sampled, playSeconds >= 600 ? 10_000 : 5000, join(dir, "samples.csv")) : null;
  const arrivals = playersRaw ? Math.round(Number(playersRaw) * 1.1) : undefined; // readers take 1 arrival in 11
  log(`running profile ${profileName} against ${url}: play ${fmtSeconds(playSeconds)}${chaos ? ", chaos: kill -9 one node halfway" : ""}; output in ${dir}`);
  art = runArtillery({
    profile: profileName,
    target: url,
    reportFile: join(dir, "report.json"),
    logFile: join(dir, "artillery.log"),
    variables: { playSeconds },
    overrides: { config: { processor, ...(arrivals ? { phases: [{ name: "ramp", duration: profile.rampSeconds, arrivalCount: arrivals }] } : {}) } },
    echo: verbose,
  });
  let killed: { nodeId: string; atSec: number } | null = null;
  // Seconds from the sampler's start to the first arrivals: Artillery itself takes a while to start.
  const offset = Math.round(((await art.started) - startedAt) / 1000);
  // Artillery's CPU (its workers are threads of one process), read while it runs: gone once it exits.
  const gen = { t0: Date.now(), cpu0: cpuSecondsOfPid(art.child.pid!), t: 0, cpu: null as number | null };
  const readGen = () => {
    const cpu = cpuSecondsOfPid(art!.child.pid!);
    if (cpu !== null) Object.assign(gen, { t: Date.now(), cpu });
  };
  const chaosTimer = chaos
    ? setTimeout(() => {
        // The node hosting the most matches right now: the failover with the most to lose.
        const latest = new Map(sampler!.samples.map((s) => [s.nodeId, s.matchesHosted ?? 0]));
        const victim = [...latest.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "node-2";
        killed = { nodeId: victim, atSec: Math.round((Date.now() - startedAt) / 1000) };
        cluster!.kill(victim);
        log(`chaos: kill -9 ${victim} ${fmtSeconds(killed.atSec - offset)} into the run`);
      }, (playSeconds / 2) * 1000)
    : null;
  const progress = setInterval(() => {
    if (stopping) return;
    readGen();
    const t = Math.round((Date.now() - startedAt) / 1000);
    const latest = new Map((sampler?.samples ?? []).map((s) => [s.nodeId, s]));
    const nodes = [...latest.values()];
    const sum = (f: (s: (typeof nodes)[number]) => number | null) => nodes.reduce((a, s) => a + (f(s) ?? 0), 0);
    log(`${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")} of ~${Math.ceil(playSeconds / 60)} min: sockets ${sum((s) => s.sockets)}, matches ${sum((s) => s.matchesHosted)}, RSS ${nodes.map((s) => `${s.nodeId} ${Math.round((s.rssBytes ?? 0) / 1_048_576)} MB`).join(", ") || "-"}, load ${loadavg()[0]!.toFixed(1)}`);
  }, playSeconds >= 600 ? 60_000 : 15_000);
  const genTimer = setInterval(readGen, 2000);
  const result = await art.done;
  clearInterval(progress);
  clearInterval(genTimer);
  if (chaosTimer) clearTimeout(chaosTimer);
  if (stopping) return 130;
  log(`artillery exited with ${result.code}; auditing results...`);
  await sampler?.sampleNow();
  sampler?.stop();
  let audit: ResultsAudit | null = null;
  if (redisUrl) audit = await auditResults(redisUrl, keyPrefix, startedAt, chaos ? 120_000 : 45_000);
  await sampler?.sampleNow(); // counters after the consumers caught up
  const k = killed as { nodeId: string; atSec: number } | null;
  // Memory (memory.ts): peak RSS from minute 5 of play (or, after a kill, from 2 minutes after it, once
  // the survivors carry the dead node's players) against the peak of the last minutes of play.
  const playEnd = offset + playSeconds;
  const baseFrom = k ? Math.max(offset + 300, k.atSec + 120) : offset + 300;
  const rssSkipped = !sampler ? "no node metrics (set TARGET_METRICS)" : playSeconds < 420 ? "play time under 7 minutes" : baseFrom + 120 > playEnd ? "no steady window after the kill" : null;
  const nodes = sampler
    ? sampled.map((n) =>
        nodeReport({
          nodeId: n.nodeId,
          killed: k?.nodeId === n.nodeId,
          samples: sampler!.samples,
          last: sampler!.last.get(n.nodeId),
          logFile: cluster ? join(dir, `${n.nodeId}.log`) : undefined,
          rssWindow: [baseFrom, playEnd],
        }),
      )
    : null;
  const appliedByMetrics = nodes && !k && nodes.every((n) => n.resultsApplied !== null) ? nodes.reduce((s, n) => s + n.resultsApplied!, 0) : null;
  const facts: RunFacts = {
    title: `redis-arena load test: ${profileName}, ${fmtSeconds(playSeconds)} of play, ${target ? `target ${target}` : `${nodeCount} local nodes`}${k ? `, chaos: ${k.nodeId} killed ${fmtSeconds(k.atSec - offset)} into the run` : ""}; ${new Date(startedAt).toISOString()}, ${Math.round((Date.now() - startedAt) / 1000)} s wall`,
    machine: `commit ${commit()}, Node ${process.version}; machine: ${cpus()[0]?.model ?? "?"} x ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GB; load average ${load0.map((x) => x.toFixed(2)).join(" ")} before, ${loadavg().map((x) => x.toFixed(2)).join(" ")} after`,
    artillery: result,
    nodes,
    peakSockets: sampler ? peakTotal(sampler.samples) : null,
    generatorCpuPct: gen.cpu0 !== null && gen.cpu !== null && gen.t > gen.t0 ? ((gen.cpu - gen.cpu0) / ((gen.t - gen.t0) / 1000)) * 100 : null,
    audit,
    appliedByMetrics,
    chaos: k !== null,
    notes: readFileSync(join(dir, "artillery.log"), "utf8").split("\n").filter((l) => l.startsWith("[load] ")),
    rssSkipped,
    rssLimitPct: 5,
  };
  const summary = renderSummary(facts);
  console.log(`\n${summary.text}\n`);
  writeFileSync(join(dir, "summary.txt"), `${summary.text}\n`);
  writeFileSync(join(dir, "summary.json"), `${JSON.stringify({ ...facts, artillery: { code: result.code, checks: result.checks }, gates: summary.gates, pass: summary.pass }, null, 2)}\n`);
  if (record) {
    const file = join(LOAD_DIR, "../docs/benchmarks.md");
    writeSection(file, `load-${profileName}${chaos ? "-chaos" : ""}`, `## Load test: ${profileName}${chaos ? " with chaos" : ""} (last recorded run)\n\n\`\`\`\n${summary.text}\n\`\`\``);
    log(`recorded in ${file}`);
  }
  log(`details: ${dir} (artillery.log, report.json, samples.csv${cluster ? ", node-*.log" : ""})`);
  return summary.pass ? 0 : 1;
}

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: LOAD_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: LOAD_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return "unknown";
  }
}

function fmtSeconds(sec: number): string {
  return sec < 120 ? `${sec} s` : `${Math.floor(sec / 60)} min${sec % 60 ? ` ${sec % 60} s` : ""}`;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error("[load] failed:", err instanceof Error ? err.message : err);
}
await cleanUp();
process.exit(stopping ? 130 : code);
