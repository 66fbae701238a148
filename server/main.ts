/**
 * Entry point of `npm start`: validates config, starts an embedded redis-server when no Redis is configured,
 * starts the node, and shuts both down on SIGINT/SIGTERM or a crash.
 */
import { loadConfig, ConfigError, type Config } from "./config.ts";
import { startEmbeddedRedis, EmbeddedRedisError, type EmbeddedRedis } from "./embedded-redis.ts";
import { startNode, type RunningNode } from "./node.ts";
import { describeTarget, redisTargetOf } from "./redis/connection.ts";

const t0 = performance.now();
let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

let embedded: EmbeddedRedis | null = null;
let node: RunningNode | null = null;
let exiting = false;

async function shutdown(reason: string, code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  const force = setTimeout(() => process.exit(code || 1), config.SHUTDOWN_GRACE_MS);
  force.unref();
  console.log(`[arena] ${reason}: shutting down`);
  try {
    // An orchestrator's SIGTERM: first let the load balancer see /readyz fail, then hand matches over.
    if (reason === "SIGTERM" && config.SHUTDOWN_DRAIN_MS > 0) {
      console.log(`[arena] draining for ${config.SHUTDOWN_DRAIN_MS} ms (/readyz 503)`);
      await node?.drain(config.SHUTDOWN_DRAIN_MS);
    }
    await node?.stop();
  } catch (err) {
    console.error("[arena] node stop failed", err);
  }
  await embedded?.stop().catch(() => {});
  process.exit(code);
}

process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
process.on("uncaughtException", (err) => {
  console.error("[arena] uncaught exception", err);
  void shutdown("crash", 1);
});
// A rejected promise nobody awaited (typically a library's background Redis call during an outage)
// leaves no state half-changed, unlike a thrown exception: log it loudly and keep serving. Crashing here
// would take every node down at once on the same Redis blip.
process.on("unhandledRejection", (err) => {
  console.error("[arena] unhandled rejection (node keeps running)", err);
});

try {
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    embedded = await startEmbeddedRedis({
      port: config.REDIS_EMBEDDED_PORT,
      dataDir: config.REDIS_DATA_DIR,
      log: (m) => console.log(`[arena] ${m}`),
    });
    config = Object.freeze({ ...config, REDIS_URL: embedded.url });
  }
  node = await startNode(config);
  // The Redis target without its password: start-up lines end up in shared logs.
  console.log(`[arena] node ${config.NODE_ID} ready at ${node.url} in ${Math.round(performance.now() - t0)} ms (redis ${describeTarget(redisTargetOf(config))})`);
} catch (err) {
  if (err instanceof EmbeddedRedisError) console.error(`[arena] ${err.message}`);
  else console.error("[arena] start-up failed:", err);
  await embedded?.stop().catch(() => {});
  process.exit(1);
}
