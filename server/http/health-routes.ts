/** Liveness and readiness probes for load balancers and orchestrators. */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Scripts } from "../redis/scripts.ts";

export interface HealthDeps {
  redis: Redis;
  scripts: Scripts;
  nodeId: string;
  isShuttingDown: () => boolean;
}

/** GET /healthz: the process answers. GET /readyz: Redis answers and scripts are loaded (503 otherwise). */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get("/healthz", async () => ({ status: "ok", nodeId: deps.nodeId }));
  app.get("/readyz", async (_req, reply) => {
    const checks: Record<string, string> = {};
    let ready = !deps.isShuttingDown();
    if (!ready) checks.node = "shutting down";
    try {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error("timeout")), 1000)));
      await Promise.race([deps.redis.ping(), timeout]).finally(() => clearTimeout(timer));
      checks.redis = `ok (${(performance.now() - t0).toFixed(1)} ms)`;
    } catch (err) {
      ready = false;
      checks.redis = `unreachable: ${(err as Error).message}`;
    }
    checks.scripts = `${deps.scripts.names().length} loaded`;
    return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", nodeId: deps.nodeId, checks });
  });
}
