/**
 * CROSSSLOT accounting for the cluster engine. Redis counts every error reply by its code in
 * `INFO errorstats` (`errorstat_CROSSSLOT:count=N`, Redis >= 6.2): a command, MULTI or script whose keys
 * live in different slots shows up there, on the node that refused it. Two kinds are invisible there:
 * pipelines ioredis refuses client-side (they never reach Redis) and a Lua script touching an undeclared
 * key of another slot (Redis answers with a plain ERR). CROSS_SLOT_ERROR_MESSAGES lists their messages:
 * the server's connection factory is to count them in `crossSlotErrors` (server/redis/connection.ts).
 */
import { Redis } from "ioredis";

/** Cross-slot failures INFO errorstats does not count as CROSSSLOT (match with `includes`). */
export const CROSS_SLOT_ERROR_MESSAGES = [
  // ioredis Cluster's own refusals (ioredis 6: built/Pipeline.js, built/cluster/index.js).
  "All the keys in a pipeline command should belong to the same slot",
  "All keys in the pipeline should belong to the same slots allocation group",
  "Possible CROSSSLOT error: All channels must hash to the same slot",
  // Redis 7 scripts reaching keys they did not declare, in another slot (answered as ERR).
  "Script attempted to access a non local key in a cluster node",
  "Script attempted to access keys that do not hash to the same slot",
] as const;

const hostPort = (a: string) => ({ host: a.slice(0, a.lastIndexOf(":")), port: Number(a.slice(a.lastIndexOf(":") + 1)) });

/** CROSSSLOT errors counted by one node since it started; null when it does not answer. */
export async function nodeCrossSlotCount(node: string): Promise<number | null> {
  const r = new Redis({ ...hostPort(node), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, enableOfflineQueue: false });
  r.on("error", () => {});
  try {
    await r.connect();
    const info = await r.info("errorstats");
    return Number(/^errorstat_CROSSSLOT:count=(\d+)/m.exec(info)?.[1] ?? 0);
  } catch {
    return null;
  } finally {
    r.disconnect();
  }
}

/** The sum over every node that answers (a node restarted in between starts again from 0). */
export async function crossSlotCount(nodes: readonly string[]): Promise<number> {
  const counts = await Promise.all(nodes.map(nodeCrossSlotCount));
  return counts.reduce<number>((a, b) => a + (b ?? 0), 0);
}
