/**
 * Rate limiter benchmark (run: npx tsx bench/limiter.ts). Starts its own redis-server (no AOF) and prints,
 * all measured in the same run against the same server (interleaved rounds, medians: the machine is shared):
 *  0. baseline: `redis-benchmark -t incr -P 16` (C client, 50 connections, pipelined);
 *  1. our limiter driven from Node (ioredis, auto-pipelined, 512 checks in flight), as a node uses it:
 *     a. allowed path: 100k subjects whose budgets never run out: every check is one EVALSHA;
 *     b. abuse path: 1,000 subjects hammering a budget of 10/h, with the local deny cache (default) and
 *        without it (every check one EVALSHA);
 *  2. rate-limiter-flexible's RateLimiterRedis (same client, same concurrency) on the same paths, with its
 *     defaults and with its in-memory block (its counterpart of our deny cache);
 *  3. Redis-side cost, without Node in the way: redis-benchmark -P 16 running our GCRA script and
 *     rate-limiter-flexible's script by EVALSHA.
 * Ratios: ours / INCR -P 16 (goal >= 0.5) and ours / rate-limiter-flexible (goal >= 2).
 */
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { createKeys } from "../server/redis/keys.ts";
import { Scripts } from "../server/redis/scripts.ts";
import { RateLimiter } from "../server/limits/rate-limiter.ts";
import { RuleSet } from "../server/limits/rules.ts";
import { fmt, printBenchResult, redisBenchmark, startBenchRedis } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4.5);
/** Checks in flight at once (a node serving thousands of sockets has many). */
const CONCURRENCY = 512;
const ALLOWED_SUBJECTS = 100_000;
const HAMMER_SUBJECTS = 1_000;

const server = await startBenchRedis("limiter");
const redis = new Redis(server.url, { enableAutoPipelining: true });

const ROUNDS = 3;

/** Runs `op` with CONCURRENCY workers for `seconds`; returns completed operations per second. */
async function measure(op: (i: number) => Promise<unknown>, seconds: number): Promise<number> {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      let i = w;
      while (performance.now() < end) {
        await op(i);
        i += CONCURRENCY;
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const keys = createKeys("bench:");
  const scripts = await Scripts.load(redis);
  // Budgets that never run out during the run, with realistic key lifetimes (GCRA keys live one interval per
  // request; rate-limiter-flexible's live the whole window).
  const roomy = new RuleSet({ a: { count: 1000, periodMs: 3_600_000 } });
  const tight = new RuleSet({ h: { count: 10, periodMs: 3_600_000 } });
  const ours = new RateLimiter(redis, scripts, keys, roomy);
  const oursHammer = new RateLimiter(redis, scripts, keys, tight);
  const oursHammerNoCache = new RateLimiter(redis, scripts, keys, tight, { denyCache: false });

  const rlfRoomy = new RateLimiterRedis({ storeClient: redis, keyPrefix: "bench:rlf:a", points: 1000, duration: 3600 });
  const rlfTight = new RateLimiterRedis({ storeClient: redis, keyPrefix: "bench:rlf:h", points: 10, duration: 3600 });
  const rlfTightBlock = new RateLimiterRedis({ storeClient: redis, keyPrefix: "bench:rlf:hb", points: 10, duration: 3600, inMemoryBlockOnConsumed: 10, inMemoryBlockDuration: 3600 });
  const rlfConsume = (l: RateLimiterRedis, key: string) =>
    l.consume(key).then(
      () => true,
      (res: unknown) => {
        if (res instanceof Error) throw res;
        return false;
      },
    );

  const scenarios: [string, (i: number) => Promise<unknown>][] = [
    ["ours: allowed path (1 EVALSHA each)", (i) => ours.check(`p:${i % ALLOWED_SUBJECTS}`, "a")],
    ["rate-limiter-flexible: allowed path", (i) => rlfConsume(rlfRoomy, `p:${i % ALLOWED_SUBJECTS}`)],
    ["ours: abuse path, deny cache (default)", (i) => oursHammer.check(`p:${i % HAMMER_SUBJECTS}`, "h")],
    ["ours: abuse path, no deny cache (1 EVALSHA each)", (i) => oursHammerNoCache.check(`q:${i % HAMMER_SUBJECTS}`, "h")],
    ["rate-limiter-flexible: abuse path, defaults", (i) => rlfConsume(rlfTight, `p:${i % HAMMER_SUBJECTS}`)],
    ["rate-limiter-flexible: abuse path, inMemoryBlock", (i) => rlfConsume(rlfTightBlock, `p:${i % HAMMER_SUBJECTS}`)],
  ];
  // Redis-side: the same scripts run by redis-benchmark (C client), no Node in the way.
  const ourSha = (await redis.script("LOAD", readFileSync(new URL("../server/redis/lua/rateLimit-1.lua", import.meta.url), "utf8"))) as string;
  const rlfSha = (await redis.script("LOAD", (rlfRoomy as unknown as { _incrTtlLuaScript: string })._incrTtlLuaScript)) as string;
  const rules = roomy.get("a");
  const serverSide: [string, number, string[]][] = [
    ["redis-benchmark INCR -P 16 (baseline)", 600_000, ["-t", "incr"]],
    ["redis-benchmark -P 16: our GCRA script", 150_000, ["EVALSHA", ourSha, "1", "bench:rl:{p:__rand_int__}:a", String(rules.intervalUs), String(rules.count), "1"]],
    ["redis-benchmark -P 16: rate-limiter-flexible's script", 150_000, ["EVALSHA", rlfSha, "1", "bench:rlf:{p:__rand_int__}", "1", "3600", "1000", "3600"]],
  ];

  for (const [, op] of scenarios) await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => op(w))); // warm-up
  const results = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, n, args] of serverSide) results.set(label, [...(results.get(label) ?? []), redisBenchmark(server.port, args, { n, r: 100_000 })]);
    for (const [label, op] of scenarios) results.set(label, [...(results.get(label) ?? []), await measure(op, SECONDS / ROUNDS)]);
  }
  const get = (label: string) => median(results.get(label)!);
  for (const [label] of [...serverSide, ...scenarios]) {
    console.log(`${label.padEnd(56)} ${fmt(get(label)).padStart(12)} /s   (rounds: ${results.get(label)!.map(fmt).join(", ")})`);
  }

  const incr = get(serverSide[0]![0]);
  const r = (a: number, b: number) => (a / b).toFixed(2);
  const [allowed, rlfAllowed, abuse, abuseRaw, rlfAbuse, rlfAbuseBlock] = scenarios.map(([label]) => get(label)) as [number, number, number, number, number, number];
  console.log("");
  console.log(`ours from Node, allowed path / INCR -P 16:          ${r(allowed, incr)}  (goal >= 0.5)`);
  console.log(`ours from Node, abuse path (deny cache) / INCR:     ${r(abuse, incr)}`);
  console.log(`our script via redis-benchmark / INCR -P 16:        ${r(get(serverSide[1]![0]), incr)}  (Redis-side cost of one check)`);
  console.log(`our script / rlf script, both via redis-benchmark:  ${r(get(serverSide[1]![0]), get(serverSide[2]![0]))}`);
  console.log(`ours / rate-limiter-flexible, allowed path:         ${r(allowed, rlfAllowed)}  (goal >= 2)`);
  console.log(`ours / rate-limiter-flexible, abuse, defaults:      ${r(abuse, rlfAbuse)}`);
  console.log(`ours / rate-limiter-flexible, abuse, both caching:  ${r(abuse, rlfAbuseBlock)}`);
  console.log(`ours / rate-limiter-flexible, abuse, no caching:    ${r(abuseRaw, rlfAbuse)}`);
  printBenchResult([
    { name: "limiter checks from Node, allowed path", value: allowed, unit: "checks/s", baseline: { name: "redis-benchmark INCR -P 16", value: incr, unit: "ops/s" }, ratio: allowed / incr, goal: ">= 0.5" },
    { name: "limiter checks from Node, allowed path", value: allowed, unit: "checks/s", baseline: { name: "rate-limiter-flexible, same path", value: rlfAllowed, unit: "checks/s" }, ratio: allowed / rlfAllowed, goal: ">= 2" },
    { name: "limiter checks from Node, abuse path (deny cache)", value: abuse, unit: "checks/s", baseline: { name: "rate-limiter-flexible, defaults", value: rlfAbuse, unit: "checks/s" }, ratio: abuse / rlfAbuse },
  ]);
} finally {
  redis.disconnect();
  await server.stop();
}
