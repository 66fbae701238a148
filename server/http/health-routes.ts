/** Liveness and readiness probes for load balancers and orchestrators. */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { RedisClient } from "../redis/connection.ts";
import type { Scripts } from "../redis/scripts.ts";

/** Longest a readiness check waits for Redis. */
const READY_TIMEOUT_MS = 1000;

export interface HealthDeps {
  redis: RedisClient;
  scripts: Scripts;
  nodeId: string;
  isShuttingDown: () => boolean;
  log: FastifyBaseLogger;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error("timeout")), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * GET /healthz: the process answers. GET /readyz: Redis answers and holds every Lua script (503
 * otherwise). Scripts missing from Redis (a restart, a failover, SCRIPT FLUSH) are loaded again in the
 * background: calls re-send a missing script by themselves, so this only makes the state visible and
 * short-lived; the next probe is 200 again.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  let reloading: Promise<void> | null = null;
  app.get("/healthz", async () => ({ status: "ok", nodeId: deps.nodeId }));
  app.get("/readyz", async (_req, reply) => {
    const checks: Record<string, string> = {};
    let ready = !deps.isShuttingDown();
    if (!ready) checks.node = "shutting down";
    try {
      const t0 = performance.now();
      await withTimeout(deps.redis.ping(), READY_TIMEOUT_MS);
      checks.redis = `ok (${(performance.now() - t0).toFixed(1)} ms)`;
      const missing = await withTimeout(deps.scripts.missing(), READY_TIMEOUT_MS);
      if (missing.length) {
        ready = false;
        checks.scripts = `missing from Redis: ${missing.join(", ")} (reloading)`;
        deps.log.warn({ missing }, "Lua scripts missing from Redis (restart, failover or SCRIPT FLUSH); reloading");
        reloading ??= deps.scripts
          .reload()
          .catch((err: unknown) => deps.log.error({ err }, "reloading Lua scripts failed"))
          .finally(() => (reloading = null));
      } else {
        checks.scripts = `${deps.scripts.names().length} loaded`;
      }
    } catch (err) {
      ready = false;
      checks.redis = `unreachable: ${(err as Error).message}`;
    }
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", nodeId: deps.nodeId, checks });
  });
}
