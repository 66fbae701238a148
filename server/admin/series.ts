/**
 * Per-minute series the analytics do not keep: rate-limit refusals, violations and queue-wait
 * percentiles. Each node samples its own Prometheus counters and the queue-wait histogram every
 * `flushMs` and adds the increase to cluster-wide per-minute hashes (the histogram as cumulative bucket
 * counts, which add up across nodes), so p50/p99 are computed over every node's matches, as Prometheus'
 * histogram_quantile would. Merged with the analytics' CCU, matches started and queue joins.
 *
 * These are dashboard series only, fed from this node's metrics registry (not from another feature's
 * keys), so they are the admin feature's own keys. Each hash is written by its own MULTI (one slot).
 */
import type { FastifyBaseLogger } from "fastify";
import type { RedisClient } from "../redis/connection.ts";
import type { Keys } from "../redis/keys.ts";
import type { Metrics } from "../metrics.ts";
import type { SeriesPoint } from "../../shared/admin-api.ts";
import type { MinuteCounts } from "./sources.ts";

const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const minuteOf = (t: number) => Math.floor((t % DAY_MS) / 60_000);

type CounterKind = "rateLimited" | "violations";

/** Sums a prom-client metric's values (all label sets). */
async function total(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((a, v) => a + v.value, 0);
}

/** Cumulative bucket counts ("le" -> count, "+Inf" included) of a prom-client histogram. */
async function buckets(h: Metrics["queueWait"]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await h.get()).values) {
    const le = (v.labels as { le?: string | number }).le;
    if (le !== undefined && v.metricName?.endsWith("_bucket")) out.set(String(le), (out.get(String(le)) ?? 0) + v.value);
  }
  return out;
}

/** Quantile q (0-1) from cumulative buckets (le in seconds), linear within a bucket; ms, or null when empty. */
export function quantileMs(cumulative: Map<string, number>, q: number): number | null {
  const rows = [...cumulative].map(([le, c]) => ({ le: le === "+Inf" ? Infinity : Number(le), c })).sort((a, b) => a.le - b.le);
  const count = rows.at(-1)?.c ?? 0;
  if (count <= 0) return null;
  const rank = q * count;
  let prevLe = 0;
  let prevC = 0;
  for (const r of rows) {
    if (r.c >= rank) {
      if (r.le === Infinity) return Math.round(prevLe * 1000);
      const within = r.c === prevC ? 0 : (rank - prevC) / (r.c - prevC);
      return Math.round((prevLe + (r.le - prevLe) * within) * 1000);
    }
    prevLe = r.le;
    prevC = r.c;
  }
  return Math.round(prevLe * 1000);
}

export class SeriesRecorder {
  private last: { counters: Record<CounterKind, number>; wait: Map<string, number> } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: { redis: RedisClient; keys: Keys; metrics: Metrics; now: () => number; flushMs: number; keepMs: number; log: FastifyBaseLogger }) {}

  async start(): Promise<void> {
    this.last = await this.read();
    this.timer = setInterval(() => void this.flush(), this.d.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async read() {
    const m = this.d.metrics;
    return { counters: { rateLimited: await total(m.rateLimited), violations: await total(m.violations) }, wait: await buckets(m.queueWait) };
  }

  /** Adds the increase since the last flush to the current minute. */
  async flush(): Promise<void> {
    if (!this.last) return;
    const now = await this.read();
    const prev = this.last;
    this.last = now;
    const { redis, keys, keepMs } = this.d;
    const t = this.d.now();
    const day = dayOf(t);
    const minute = minuteOf(t);
    const ttl = Date.parse(`${day}T00:00:00Z`) + DAY_MS + keepMs - t;
    const writes: Promise<unknown>[] = [];
    for (const kind of ["rateLimited", "violations"] as const) {
      const delta = now.counters[kind] - prev.counters[kind];
      const key = keys.admin.series(kind, day);
      if (delta > 0) writes.push(redis.multi().hincrby(key, String(minute), delta).pexpire(key, ttl).exec());
    }
    const wait = redis.multi();
    const waitKey = keys.admin.waitHistogram(day);
    for (const [le, c] of now.wait) {
      const delta = c - (prev.wait.get(le) ?? 0);
      if (delta > 0) wait.hincrby(waitKey, `${minute}|${le}`, delta);
    }
    if (wait.length > 0) writes.push(wait.pexpire(waitKey, ttl).exec());
    try {
      await Promise.all(writes);
    } catch (err) {
      this.d.log.warn({ err }, "admin series flush failed");
    }
  }
}

/** The last `count` minutes (oldest first): analytics counts merged with the admin series. */
export async function readSeries(redis: RedisClient, keys: Keys, base: MinuteCounts[]): Promise<SeriesPoint[]> {
  const days = [...new Set(base.map((m) => dayOf(m.t)))];
  const loaded = new Map<string, { rl: Record<string, string>; vi: Record<string, string>; wait: Map<string, Map<string, number>> }>();
  await Promise.all(
    days.map(async (day) => {
      const a = keys.admin;
      const [rl, vi, w] = await Promise.all([redis.hgetall(a.series("rateLimited", day)), redis.hgetall(a.series("violations", day)), redis.hgetall(a.waitHistogram(day))]);
      const wait = new Map<string, Map<string, number>>();
      for (const [field, v] of Object.entries(w)) {
        const [minute, le] = field.split("|") as [string, string];
        let b = wait.get(minute);
        if (!b) wait.set(minute, (b = new Map()));
        b.set(le, Number(v));
      }
      loaded.set(day, { rl, vi, wait });
    }),
  );
  return base.map((m) => {
    const l = loaded.get(dayOf(m.t))!;
    const minute = String(minuteOf(m.t));
    const w = l.wait.get(minute);
    return {
      t: m.t,
      ccu: m.ccu,
      matchesStarted: m.matchesStarted,
      queueJoins: m.queueJoins,
      queueWaitP50Ms: w ? quantileMs(w, 0.5) : null,
      queueWaitP99Ms: w ? quantileMs(w, 0.99) : null,
      rateLimited: Number(l.rl[minute] ?? 0),
      violations: Number(l.vi[minute] ?? 0),
    };
  });
}
