/**
 * "Every match result produced is applied, once": read from Redis after a run. Produced = distinct match
 * ids on the results stream since the run started (stream ids are millisecond times, so a shared
 * staging Redis works too; the stream is capped at ~100k entries, far above a run's matches); applied =
 * those found in the all-time board's exactly-once markers. First waits for the cluster to settle: no
 * active match, nothing pending or unread in the consumer group.
 */
import { Redis } from "ioredis";
import { createKeys } from "../../server/redis/keys.ts";

export interface ResultsAudit {
  /** Distinct match ids appended since the run started. */
  produced: number;
  /** Stream entries since the run started (> produced when a failed-over host appended a match twice). */
  entries: number;
  /** Produced match ids found in the all-time board's applied markers. */
  applied: number;
  missing: string[];
  pending: number;
  /** Entries not yet delivered to the group (null when Redis does not say). */
  lag: number | null;
  dead: number;
  activeMatches: number;
  settled: boolean;
}

/** Field pairs or a map (RESP2 / RESP3 replies) as a plain object. */
function fields(v: unknown): Record<string, unknown> {
  if (v instanceof Map) return Object.fromEntries(v);
  if (Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < v.length; i += 2) o[String(v[i])] = v[i + 1];
    return o;
  }
  return (v ?? {}) as Record<string, unknown>;
}

export async function auditResults(redisUrl: string, prefix: string, sinceMs: number, settleMs: number): Promise<ResultsAudit> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on("error", () => {});
  await redis.connect();
  const k = createKeys(prefix);
  try {
    let state = { activeMatches: 0, pending: 0, lag: null as number | null, settled: false };
    const end = Date.now() + settleMs;
    for (;;) {
      const activeMatches = await redis.zcard(k.matches.active);
      const groups = ((await redis.xinfo("GROUPS", k.boards.results).catch(() => [])) as unknown[]).map(fields);
      const g = groups.find((x) => String(x.name) === k.boards.resultsGroup);
      const pending = Number(g?.pending ?? 0);
      const lag = g && g.lag !== undefined && g.lag !== null ? Number(g.lag) : null;
      const lastId = ((await redis.xrevrange(k.boards.results, "+", "-", "COUNT", 1)) as [string, string[]][])[0]?.[0];
      const caughtUp = !lastId || (lag !== null ? lag === 0 : String(g?.["last-delivered-id"]) === lastId);
      state = { activeMatches, pending, lag, settled: activeMatches === 0 && pending === 0 && caughtUp };
      if (state.settled || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const produced = new Set<string>();
    let entries = 0;
    let from = `${sinceMs}-0`;
    for (;;) {
      const page = (await redis.xrange(k.boards.results, from, "+", "COUNT", 1000)) as [string, string[]][];
      for (const [, kv] of page) {
        entries++;
        const matchId = fields(kv).matchId;
        if (typeof matchId === "string") produced.add(matchId);
      }
      if (page.length < 1000) break;
      from = `(${page[page.length - 1]![0]}`; // exclusive: the next page starts after this entry
    }
    const applied = new Set<string>();
    const base = k.boards.applied("alltime", "all");
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${base.replace(/[{}[\]*?]/g, "\\$&")}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) for (const id of await redis.smembers(key)) if (produced.has(id)) applied.add(id);
    } while (cursor !== "0");
    const dead = await redis.xlen(k.boards.resultsDead);
    return { produced: produced.size, entries, applied: applied.size, missing: [...produced].filter((id) => !applied.has(id)).slice(0, 20), dead, ...state };
  } finally {
    redis.disconnect();
  }
}
