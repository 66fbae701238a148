/**
 * Boards benchmark (run: npx tsx bench/boards.ts; on a local Redis Cluster: BENCH_ENGINE=cluster npx tsx
 * bench/boards.ts; see bench/engine.ts for REDIS_URL / REDIS_CLUSTER_NODES). Prints:
 *  1. board writes/s through the real apply step (boardApply Lua, batched as the consumer batches) against
 *     `redis-benchmark ZINCRBY -P 16` measured on the same engine in the same run (goal: ratio >= 0.5), per
 *     second of wall clock and per CPU-second of the Redis masters;
 *  2. results/s end to end (stream -> consumer group -> plans, 3 boards, player stats -> XACK) on one node;
 *  3. top-100 (with names; cache-aside vs no cache) and around-me p50/p99 on a 1,000,000-member board,
 *     read directly and over HTTP;
 *  4. keys, memory, commands and CPU per master (on a cluster: how the boards spread over the masters).
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { loadConfig } from "../server/config.ts";
import { createKeys } from "../server/redis/keys.ts";
import { Scripts } from "../server/redis/scripts.ts";
import { createMetrics } from "../server/metrics.ts";
import { ResultApplier, applierConfig } from "../server/boards/result-applier.ts";
import { BoardReader } from "../server/boards/board-reader.ts";
import { boardsFeature } from "../server/boards/boards-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { PlayerStore } from "../server/players/player-store.ts";
import { buildPlan, type ResultPlan } from "../server/boards/result-plan.ts";
import { boardMember } from "../server/boards/board-encoding.ts";
import { startNode } from "../server/node.ts";
import { appendMatchResult, type MatchResult } from "../server/boards/match-result.ts";
import { fmt, percentile, printBenchResult } from "./lib.ts";
import { deleteMatching, masterFigures, redisCpuSeconds, spreadLines, startBenchEngine } from "./engine.ts";

const WRITE_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const BATCH_MATCHES = 100;
const PLAYERS_PER_MATCH = 8;
const CONCURRENCY = 4;
const E2E_RESULTS = 4000;
const BOARD_SIZE = 1_000_000;
const READS = 2000;

const load = () => `${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores`;
const engine = await startBenchEngine("boards");
const redis = await engine.connect("bench-boards");
// Every key of this run starts with `run` (an existing Redis may hold other runs and other data).
const run = `bench:${randomBytes(4).toString("hex")}:`;
console.log(`boards benchmark on ${engine.kind === "cluster" ? "a Redis Cluster" : "one Redis"}: ${engine.description}`);
console.log(`${WRITE_SECONDS}s write window; load average at start ${load()}`);

try {
  // ---- 1. baseline: redis-benchmark ZINCRBY -P 16 (on a cluster: one sorted set per master) -----------
  const cpuBase0 = await redisCpuSeconds(redis);
  const baseline = engine.baseline(["ZINCRBY", `${run}base:{tag}:z`, "1", "__rand_int__"], { n: 2_000_000, r: 1_000_000 });
  const cpuBase1 = await redisCpuSeconds(redis);
  const baselineCpu = cpuBase1.masters - cpuBase0.masters;
  const baselineReplicaCpu = cpuBase1.replicas - cpuBase0.replicas;
  await deleteMatching(redis, `${run}base:*`);
  // Shares per master from here on: the bench's own work, not redis-benchmark's evenly spread load.
  const spreadBefore = await masterFigures(redis);

  // ---- 1b. board writes through boardApply ------------------------------------------------------------
  const prefix = `${run}w:`;
  const keys = createKeys(prefix);
  const scripts = await Scripts.load(redis);
  const config = loadConfig({}, { KEY_PREFIX: prefix, LOG_LEVEL: "silent" });
  const applier = new ResultApplier({ redis, keys, scripts, players: new PlayerStore(redis, keys, scripts, Date.now), now: Date.now, config: applierConfig(config) });
  const pool = Array.from({ length: 100_000 }, (_, i) => `b${i}`);
  let matchSeq = 0;
  const makeResult = (): MatchResult => {
    const ids = new Set<string>();
    while (ids.size < PLAYERS_PER_MATCH) ids.add(pool[Math.floor(Math.random() * pool.length)]!);
    return {
      matchId: `w${++matchSeq}-${randomBytes(3).toString("hex")}`,
      endedAt: Date.now(),
      durationMs: 90_000,
      players: [...ids].map((playerId, i) => ({ playerId, name: playerId, score: Math.floor(Math.random() * 100), placement: i + 1 })),
    };
  };
  const makePlans = (): ResultPlan[] => Array.from({ length: BATCH_MATCHES }, () => buildPlan(makeResult(), Array(PLAYERS_PER_MATCH).fill(1000)));
  // Warm-up (script cache, board growth), then the measured window.
  for (let i = 0; i < 5; i++) await applier.applyBoards(makePlans());
  let writes = 0;
  const cpuWrites0 = await redisCpuSeconds(redis);
  const t0 = performance.now();
  const deadline = t0 + WRITE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const plans = makePlans();
        await applier.applyBoards(plans);
        writes += plans.length * PLAYERS_PER_MATCH * 3; // one member update on each of 3 boards
      }
    }),
  );
  const writeRate = writes / ((performance.now() - t0) / 1000);
  const cpuWrites1 = await redisCpuSeconds(redis);
  const writesCpu = cpuWrites1.masters - cpuWrites0.masters;
  const writesReplicaCpu = cpuWrites1.replicas - cpuWrites0.replicas;

  // ---- 2. results end to end on one node ----------------------------------------------------------------
  const e2ePrefix = `${run}e2e:`;
  const node = await startNode(loadConfig({}, { PORT: "0", HOST: "127.0.0.1", ...engine.config, KEY_PREFIX: e2ePrefix, LOG_LEVEL: "silent", RESULTS_BLOCK_MS: "50" }), {
    logger: false,
    features: [playersFeature, boardsFeature],
  });
  const e2eKeys = createKeys(e2ePrefix);
  const appendStart = performance.now();
  await Promise.all(Array.from({ length: E2E_RESULTS }, () => appendMatchResult(redis, e2eKeys, makeResult())));
  const consumed = async () => Number((await redis.hget(e2eKeys.boards.meta("alltime", "all"), "matches")) ?? 0);
  while ((await consumed()) < E2E_RESULTS) await new Promise((r) => setTimeout(r, 20));
  const e2eRate = E2E_RESULTS / ((performance.now() - appendStart) / 1000);

  // ---- 3. reads on a 1M-member board ----------------------------------------------------------------------
  const board = e2eKeys.boards.board("daily", "2099-01-01");
  const boardMembers = e2eKeys.boards.members("daily", "2099-01-01");
  // The board and its members hash share one slot: plain pipelines work on a cluster too.
  for (let base = 0; base < BOARD_SIZE; base += 100_000) {
    const p = redis.pipeline();
    for (let c = base; c < base + 100_000; c += 1000) {
      const z: (string | number)[] = [];
      const h: string[] = [];
      for (let i = c; i < c + 1000; i++) {
        const member = boardMember(Date.UTC(2099, 0, 1) + (i % 4), 1, `m${i}`);
        z.push(Math.floor((BOARD_SIZE - 1 - i) / 4), member);
        h.push(`m${i}`, member);
      }
      p.zadd(board, ...z);
      p.hset(boardMembers, ...h);
    }
    await p.exec();
  }
  // Profiles are on one slot per player: one command per key, auto-pipelined (one round trip per master).
  await Promise.all(Array.from({ length: 100 }, (_, i) => redis.hset(e2eKeys.players.profile(`m${i}`), "name", `Player ${i}`)));
  const metrics = createMetrics("bench");
  const players = new PlayerStore(redis, e2eKeys, scripts, Date.now);
  const cached = new BoardReader({ redis, keys: e2eKeys, scripts, players, metrics, now: Date.now, cacheTtlMs: 1000 });
  const uncached = new BoardReader({ redis, keys: e2eKeys, scripts, players, metrics, now: Date.now, cacheTtlMs: 0 });
  const time = async (fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 50; i++) await fn(i);
    const xs: number[] = [];
    const start = performance.now();
    for (let i = 0; i < READS; i++) {
      const t = performance.now();
      await fn(i);
      xs.push(performance.now() - t);
    }
    return { p50: percentile(xs, 50), p99: percentile(xs, 99), perSec: READS / ((performance.now() - start) / 1000) };
  };
  const rnd = () => `m${Math.floor(Math.random() * BOARD_SIZE)}`;
  const topNoCache = await time(() => uncached.page("daily", "2099-01-01", 0, 100));
  const topCache = await time(() => cached.page("daily", "2099-01-01", 0, 100));
  const around = await time(() => uncached.around("daily", "2099-01-01", rnd(), 5));
  const http = (path: () => string) => time(async () => {
    const res = await fetch(`${node.url}${path()}`);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    await res.arrayBuffer();
  });
  const httpTop = await http(() => "/api/leaderboards/daily?date=2099-01-01&limit=100");
  const httpAround = await http(() => `/api/leaderboards/daily/around/${rnd()}?date=2099-01-01&radius=5`);
  await node.stop();

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const perCpu = (n: number, cpu: number) => (cpu > 0 ? n / cpu : NaN);
  const baselinePerCpu = perCpu(2_000_000, baselineCpu);
  const writesPerCpu = perCpu(writes, writesCpu);
  console.log(`\n                                              per second      per master CPU-second`);
  console.log(`baseline redis-benchmark ZINCRBY -P 16        ${fmt(baseline).padStart(10)} ops   ${fmt(baselinePerCpu).padStart(10)} ops  (masters ${baselineCpu.toFixed(1)} CPU-s, replicas ${baselineReplicaCpu.toFixed(1)})`);
  console.log(`board writes (boardApply, ${BATCH_MATCHES} matches x ${PLAYERS_PER_MATCH} players x 3 boards per batch, ${CONCURRENCY} in flight)`);
  console.log(`                                              ${fmt(writeRate).padStart(10)} updates ${fmt(writesPerCpu).padStart(8)} updates  (masters ${writesCpu.toFixed(1)} CPU-s, replicas ${writesReplicaCpu.toFixed(1)})`);
  console.log(`ratio against the baseline (goal >= 0.5)      ${(writeRate / baseline).toFixed(2).padStart(10)}       ${(writesPerCpu / baselinePerCpu).toFixed(2).padStart(10)}`);
  console.log(`results end to end (stream -> 1 node, XACK)   ${fmt(e2eRate)} results/s (${PLAYERS_PER_MATCH} players, plan + 3 boards + ${PLAYERS_PER_MATCH} player steps each)`);
  console.log(`\n1,000,000-member board, ${READS} sequential reads each      p50        p99       reads/s`);
  const row = (label: string, r: { p50: number; p99: number; perSec: number }) => console.log(`${label.padEnd(48)}${ms(r.p50).padStart(9)}  ${ms(r.p99).padStart(9)}  ${fmt(r.perSec).padStart(8)}`);
  row("top 100 with names, no cache (reader)", topNoCache);
  row("top 100 with names, cache-aside 1s (reader)", topCache);
  row("around-me radius 5 (reader)", around);
  row("HTTP GET top 100 (cache on)", httpTop);
  row("HTTP GET around-me radius 5", httpAround);
  console.log(`cache speed-up on top 100 (p50)                 x${(topNoCache.p50 / topCache.p50).toFixed(1)}`);
  console.log(`\nper master: keys and memory now; share of the commands and CPU since the baseline (writes, results, 1M load, reads)`);
  for (const line of spreadLines(spreadBefore, await masterFigures(redis))) console.log(`  ${line}`);
  console.log(`load average at the end ${load()}`);
  const zincrby = { name: "redis-benchmark ZINCRBY -P 16", value: baseline, unit: "ops/s" };
  printBenchResult([
    { name: "board member updates (boardApply)", value: writeRate, unit: "/s", baseline: zincrby, ratio: writeRate / baseline, goal: ">= 0.5" },
    { name: "results applied end to end (one node)", value: e2eRate, unit: "results/s" },
    { name: "top 100 with names, cache-aside, p99", value: topCache.p99, unit: "ms" },
    { name: "around-me radius 5 on 1M members, p99", value: around.p99, unit: "ms" },
    { name: "HTTP GET top 100, p99", value: httpTop.p99, unit: "ms" },
  ]);
} finally {
  if (!engine.owned) await deleteMatching(redis, `${run}*`);
  redis.disconnect();
  await engine.stop();
}
