/**
 * Starts one game node for a given config: Redis connections, Lua scripts, the app, listen, features;
 * returns a handle whose `stop()` is the graceful shutdown (SIGTERM path). Used by the entry point,
 * the cluster launcher and multi-node tests.
 */
import type { Config } from "./config.ts";
import { advertisedHost } from "./config.ts";
import { connectRedis, redisMajorVersion, redisTargetOf, type RedisClient } from "./redis/connection.ts";
import { Scripts } from "./redis/scripts.ts";
import { buildApp, type AppDeps, type BuiltApp } from "./app.ts";

export interface RunningNode extends BuiltApp {
  url: string;
  port: number;
  /** Graceful stop: tell clients, close sockets, stop features, quit Redis. Idempotent. */
  stop(): Promise<void>;
  /** Answers /readyz with 503 for `ms` while serving on (load balancers take the node out), then resolves. */
  drain(ms: number): Promise<void>;
}

export interface StartNodeOptions {
  logger?: AppDeps["logger"];
  now?: () => number;
  features?: AppDeps["features"];
}

/** Connects, builds, listens and starts the features' background work. */
export async function startNode(config: Config, opts: StartNodeOptions = {}): Promise<RunningNode> {
  const target = redisTargetOf(config);
  const clients: RedisClient[] = [];
  let scripts: Scripts | null = null;
  const connect = async (role: string, o: { subscriber?: boolean } = {}) => {
    const c = await connectRedis(target, { name: `${config.NODE_ID}:${role}`, subscriber: o.subscriber });
    clients.push(c);
    if (!o.subscriber) scripts?.define(c);
    return c;
  };
  let built: BuiltApp | undefined;
  try {
    const redis = await connect("main");
    const sub = await connect("adapter-sub", { subscriber: true });
    scripts = await Scripts.load(redis);
    const sharded = (await redisMajorVersion(redis)) >= 7;
    built = await buildApp({ config, redis, sub, scripts, sharded, connect, logger: opts.logger, now: opts.now, features: opts.features });
    await built.app.listen({ port: config.PORT, host: config.HOST, backlog: config.LISTEN_BACKLOG });
    await built.metricsEndpoint.start();
    for (const f of built.features) await f.hooks.start?.();
  } catch (err) {
    await built?.app.close().catch(() => {});
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    throw err;
  }
  const addr = built.app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.PORT;
  let stopping: Promise<void> | null = null;
  const app = built.app;
  const state = built.shutdown;
  return {
    ...built,
    url: `http://${advertisedHost(config.HOST)}:${port}`,
    port,
    async drain(ms: number) {
      state.draining = true;
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    },
    stop() {
      stopping ??= (async () => {
        await app.close();
        await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      })();
      return stopping;
    },
  };
}
