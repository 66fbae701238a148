/**
 * Redis health for the overview, from INFO: memory, ops/s, clients, hit rate, AOF state, plus a PING
 * round trip from this node. On a Redis Cluster one row per master.
 */
import type { Redis } from "ioredis";
import { masters, type RedisClient } from "../redis/connection.ts";
import type { RedisHealth } from "../../shared/admin-api.ts";

/** Parses INFO's "key:value" lines. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** One server's health row from its INFO text and a measured PING. */
export function healthOf(address: string, info: Record<string, string>, pingMs: number): RedisHealth {
  const n = (k: string) => Number(info[k] ?? 0);
  const hits = n("keyspace_hits");
  const misses = n("keyspace_misses");
  return {
    address,
    role: info.role ?? "?",
    version: info.redis_version ?? "?",
    usedMemoryBytes: n("used_memory"),
    maxMemoryBytes: n("maxmemory"),
    opsPerSec: n("instantaneous_ops_per_sec"),
    connectedClients: n("connected_clients"),
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    aof: { enabled: info.aof_enabled === "1", lastWriteOk: (info.aof_last_write_status ?? "ok") === "ok", rewriteInProgress: info.aof_rewrite_in_progress === "1" },
    pingMs,
    uptimeSeconds: n("uptime_in_seconds"),
  };
}

async function probe(client: Redis, address: string): Promise<RedisHealth> {
  try {
    const t0 = performance.now();
    await client.ping();
    const pingMs = Math.round((performance.now() - t0) * 100) / 100;
    return healthOf(address, parseInfo(await client.info()), pingMs);
  } catch (err) {
    return { ...healthOf(address, {}, -1), error: (err as Error).message };
  }
}

/** Health of the single Redis, or of every master of a Cluster (one INFO per master). */
export async function redisHealth(client: RedisClient): Promise<RedisHealth[]> {
  return Promise.all(masters(client).map((m) => probe(m, `${m.options.host ?? "?"}:${m.options.port ?? "?"}`)));
}
