/**
 * ioredis connection factory: every client the node opens is made here, named, with the same policy, for
 * either engine: one Redis (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`). The rest of the code
 * sees one type, `RedisClient`, and keeps to commands that work on both: every multi-key command, pipeline,
 * MULTI and script stays on one hash slot (see keys.ts); flows that span slots send one command per key
 * (auto-pipelined into one round trip per node).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";

/** A connection to either engine. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server, or the seed nodes of a cluster. */
export type RedisTarget = { kind: "single"; url: string } | { kind: "cluster"; nodes: { host: string; port: number }[]; password?: string | undefined };

export interface RedisConnectOptions {
  /** Shown in CLIENT LIST, e.g. "node-a:main"; helps ops find a connection at 3 a.m. */
  name: string;
  /** Subscriber connections must not queue commands forever while reconnecting, nor auto-pipeline. */
  subscriber?: boolean;
}

let crossSlot = 0;

/**
 * Cross-slot refusals seen by this process: ioredis refuses a Cluster pipeline or MULTI whose keys span
 * slots before anything reaches Redis, so Redis's own `errorstat_CROSSSLOT` never sees those. The test
 * harness fails a run in which this moves.
 */
export function crossSlotErrors(): number {
  return crossSlot;
}

const CROSS_SLOT = /CROSSSLOT|should belong to the same slot/;

/** Counts the cross-slot refusals of every pipeline and MULTI of a client (they are bugs: logged by callers). */
function watchCrossSlot(client: RedisClient): void {
  for (const method of ["pipeline", "multi"] as const) {
    const original = (client[method] as (...a: unknown[]) => { exec: (...a: unknown[]) => Promise<unknown> }).bind(client);
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const p = original(...args);
      const exec = p.exec.bind(p);
      p.exec = (...a: unknown[]) =>
        exec(...a).catch((err: unknown) => {
          if (CROSS_SLOT.test(String((err as Error)?.message))) crossSlot++;
          throw err;
        });
      return p;
    };
  }
}

/** Parses `host:port,host:port` (the REDIS_CLUSTER_NODES form). */
export function parseClusterNodes(raw: string): { host: string; port: number }[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.lastIndexOf(":");
      return { host: s.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(s.slice(i + 1)) };
    });
}

/** The target a config names: the cluster when REDIS_CLUSTER_NODES is set, else REDIS_URL. */
export function redisTargetOf(c: { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: string | undefined; REDIS_PASSWORD?: string | undefined }): RedisTarget {
  if (c.REDIS_CLUSTER_NODES) return { kind: "cluster", nodes: parseClusterNodes(c.REDIS_CLUSTER_NODES), password: c.REDIS_PASSWORD };
  if (!c.REDIS_URL) throw new Error("No Redis configured: set REDIS_URL or REDIS_CLUSTER_NODES (npm start spawns an embedded redis-server when neither is set)");
  return { kind: "single", url: c.REDIS_URL };
}

/** A target for logs: the password never appears. */
export function describeTarget(t: RedisTarget): string {
  if (t.kind === "cluster") return `cluster ${t.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
  try {
    const u = new URL(t.url);
    if (u.password) u.password = "***";
    if (u.username) u.username = u.username && "***";
    return u.toString();
  } catch {
    return "redis (unparsable URL)";
  }
}

/** Opens a client and waits until it is ready (rejects if Redis is unreachable at start). */
export async function connectRedis(target: RedisTarget, opts: RedisConnectOptions): Promise<RedisClient> {
  const base: RedisOptions = {
    connectionName: opts.name.replace(/[^A-Za-z0-9._:-]/g, "_"),
    // Fail a command after a few reconnect attempts instead of hanging a request forever.
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
  };
  let client: RedisClient;
  if (target.kind === "single") {
    client = new Redis(target.url, { ...base, lazyConnect: true, enableAutoPipelining: !opts.subscriber });
  } else {
    const options: ClusterOptions = {
      lazyConnect: true,
      enableAutoPipelining: !opts.subscriber,
      // Sharded pub/sub (SSUBSCRIBE) needs a connection to the shard that owns each channel's slot.
      shardedSubscribers: !!opts.subscriber,
      // After a failover the promoted replica answers MOVED/CLUSTERDOWN for a moment: keep retrying.
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2000,
      redisOptions: { ...base, password: target.password },
    };
    client = new Cluster(target.nodes, options);
  }
  // Without a listener ioredis logs errors to stderr; the owner logs state changes instead.
  client.on("error", () => {});
  watchCrossSlot(client);
  await client.connect();
  return client;
}

/** True for a Redis Cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The major version of the Redis server (of one cluster node: they run the same version). */
export async function redisMajorVersion(client: RedisClient): Promise<number> {
  const info = await client.info("server");
  const m = /redis_version:(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

/** The clients that hold data: the server itself, or every master of a cluster. */
export function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes("master") : [client];
}
