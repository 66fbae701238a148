/**
 * Tick benchmark (run: npx tsx bench/tick.ts). Starts its own redis-server (no AOF) and one real node,
 * creates MATCHES matches of 8 bots hosted by that node, and measures while they play:
 *  - per match: one tick = step + snapshot + broadcast to the match room (through the Redis adapter: the
 *    players are elsewhere), p50/p99, and p99 / tick interval (goal <= 0.1);
 *  - per loop pass (every hosted match ticked once): p50/p99 / tick interval (must stay < 1 to keep time);
 *  - baseline measured in the same run: the pure `step` alone on the same states, so the runtime's own
 *    overhead (snapshot, broadcast, lease bookkeeping) shows as a ratio.
 * Bots steer in a new random direction about twice a second and dash now and then; their inputs go
 * straight into the hosts (input routing is measured by bench/broadcast.ts, not here).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { loadConfig } from "../server/config.ts";
import { startNode } from "../server/node.ts";
import { nodesFeature } from "../server/nodes/nodes-feature.ts";
import { playersFeature } from "../server/players/players-feature.ts";
import { boardsFeature } from "../server/boards/boards-feature.ts";
import { createMatchesFeature } from "../server/matches/matches-feature.ts";
import { advance, type SimState } from "../shared/game/sim.ts";
import type { InputFrame } from "../shared/game/types.ts";
import { percentile, printBenchResult, startBenchRedis } from "./lib.ts";

const MATCHES = Number(process.env.BENCH_MATCHES ?? 250);
const BOTS = 8;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TICK_HZ = 20;
const interval = 1000 / TICK_HZ;

const ms = (v: number) => `${v.toFixed(3)} ms`;

const server = await startBenchRedis("tick");
const redis = new Redis(server.url);
const prefix = `bench:${randomBytes(3).toString("hex")}:`;
const config = loadConfig({}, {
  PORT: "0",
  HOST: "127.0.0.1",
  REDIS_URL: server.url,
  KEY_PREFIX: prefix,
  NODE_ID: "bench-node",
  LOG_LEVEL: "silent",
  TICK_HZ: String(TICK_HZ),
  MATCH_COUNTDOWN_MS: "1000",
  MATCH_DURATION_MS: String((SECONDS + 30) * 1000),
});

let recording = false;
const matchTicks: number[] = [];
const loopTicks: number[] = [];
const node = await startNode(config, {
  logger: false,
  features: [
    playersFeature,
    nodesFeature,
    boardsFeature,
    createMatchesFeature({
      onMatchTick: (t) => recording && matchTicks.push(t),
      onLoopTick: (t) => recording && loopTicks.push(t),
    }),
  ],
});
const matchesModule = node.service("matches");

try {
  const ids: string[] = [];
  for (let m = 0; m < MATCHES; m++) {
    const matchId = `bench-${m}`;
    ids.push(matchId);
    const players = Array.from({ length: BOTS }, (_, i) => ({ playerId: `bot-${m}-${i}`, name: `Bot ${i}`, rating: 1000 }));
    await matchesModule.createMatch({ matchId, queue: "world", fence: 1, hostNodeId: "bench-node", createdAt: Date.now(), seed: m + 1, players });
  }
  const t0 = performance.now();
  while (matchesModule.hostedCount() < MATCHES) {
    if (performance.now() - t0 > 30_000) throw new Error(`only ${matchesModule.hostedCount()} of ${MATCHES} matches hosted after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // Bots: a new heading about twice a second, a dash about every 4 s, one frame per tick each.
  let seq = 0;
  const heading = Array.from({ length: MATCHES * BOTS }, () => Math.random() * Math.PI * 2);
  const bots = setInterval(() => {
    seq++;
    for (let m = 0; m < MATCHES; m++) {
      const host = matchesModule.hosted(ids[m]!);
      if (!host) continue;
      for (let i = 0; i < BOTS; i++) {
        const k = m * BOTS + i;
        if (Math.random() < 0.025) heading[k] = Math.random() * Math.PI * 2;
        host.input(i, seq, Math.cos(heading[k]!), Math.sin(heading[k]!), Math.random() < 0.0125);
      }
    }
  }, interval);

  // Let every match reach "playing" and the heap settle, then record.
  await new Promise((r) => setTimeout(r, 2500));
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  recording = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  recording = false;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  clearInterval(bots);

  // Baseline in the same run: the simulation alone (in place, as the host runs it) on copies of this run's
  // states, same inputs shape.
  const states: SimState[] = ids.map((id) => matchesModule.hosted(id)!.state);
  const inputs: InputFrame[] = Array.from({ length: BOTS }, (_, i) => ({ s: 1, x: Math.cos(i), y: Math.sin(i), d: false }));
  const stepTimes: number[] = [];
  const end = performance.now() + SECONDS * 200;
  const cur = states.map((s) => structuredClone(s));
  while (performance.now() < end) {
    for (let m = 0; m < cur.length; m++) {
      const s0 = performance.now();
      advance(cur[m]!, inputs, interval);
      stepTimes.push(performance.now() - s0);
    }
  }

  const playing = ids.filter((id) => matchesModule.hosted(id)?.state.phase === "playing").length;
  console.log(`tick benchmark: ${MATCHES} matches x ${BOTS} bots on one node, ${TICK_HZ} Hz (interval ${interval} ms), ${SECONDS} s recorded, ${playing} playing`);
  console.log(`  match ticks recorded       ${matchTicks.length.toLocaleString("en-US")} (${Math.round(matchTicks.length / (wall / 1000)).toLocaleString("en-US")}/s, expected ${MATCHES * TICK_HZ}/s)`);
  console.log(`  per match tick (step + snapshot + broadcast)  p50 ${ms(percentile(matchTicks, 50))}  p99 ${ms(percentile(matchTicks, 99))}  max ${ms(Math.max(...matchTicks))}`);
  console.log(`  baseline: pure step alone                     p50 ${ms(percentile(stepTimes, 50))}  p99 ${ms(percentile(stepTimes, 99))}`);
  console.log(`  runtime overhead (p50 tick / p50 step)        ${(percentile(matchTicks, 50) / percentile(stepTimes, 50)).toFixed(2)}x`);
  console.log(`  loop pass (all ${MATCHES} matches)             p50 ${ms(percentile(loopTicks, 50))}  p99 ${ms(percentile(loopTicks, 99))}`);
  console.log(`  node CPU                                      ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)}% of one core`);
  console.log(`  RESULT p99 match tick / interval = ${(percentile(matchTicks, 99) / interval).toFixed(4)} (goal <= 0.1)`);
  console.log(`  RESULT p99 loop pass / interval  = ${(percentile(loopTicks, 99) / interval).toFixed(3)} (must stay < 1)`);
  const tickInterval = { name: "tick interval", value: interval, unit: "ms" };
  printBenchResult([
    { name: "match tick (step + snapshot + broadcast) p99", value: percentile(matchTicks, 99), unit: "ms", baseline: tickInterval, ratio: percentile(matchTicks, 99) / interval, goal: "<= 0.1" },
    { name: `loop pass over ${MATCHES} matches p99`, value: percentile(loopTicks, 99), unit: "ms", baseline: tickInterval, ratio: percentile(loopTicks, 99) / interval, goal: "< 1" },
    { name: "match tick p50", value: percentile(matchTicks, 50), unit: "ms", baseline: { name: "pure step p50", value: percentile(stepTimes, 50), unit: "ms" }, ratio: percentile(matchTicks, 50) / percentile(stepTimes, 50) },
  ]);
} finally {
  await node.stop();
  redis.disconnect();
  await server.stop();
}
